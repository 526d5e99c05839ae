/**
 * The search field in the header: results while typing (dossiers, files, comments across my
 * workspaces, from the crypto worker's in-memory index), each a link to its dossier.
 */

import { h } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { forgetIndexing, indexAllWorkspaces, search } from '../search.js';

function resultLink(result) {
  const target = result.dossier_id ? `#/w/${result.workspace_id}/${result.dossier_id}`
    : `#/w/${result.workspace_id}`;
  return h('li', { class: `search-result search-${result.kind}` },
    h('a', { href: target },
      h('span', { class: 'search-kind' }, t(`search.kind.${result.kind}`)), ' ',
      h('strong', {}, result.title || result.snippet), ' ',
      h('span', { class: 'search-where' }, t('search.in', { name: result.workspace_name }))),
    result.kind === 'comment' ? h('p', { class: 'search-snippet' }, result.snippet) : null);
}

/** Draws the search field in `holder` (after sign-in). */
export function startSearch(holder) {
  const input = h('input', { type: 'search', id: 'search-field', autocomplete: 'off',
    placeholder: t('search.placeholder'), 'aria-label': t('search.label'),
    'aria-controls': 'search-results' });
  const status = h('p', { id: 'search-status', class: 'search-status', role: 'status' });
  const list = h('ul', { id: 'search-results', class: 'search-results' });
  const panel = h('div', { class: 'search-panel', hidden: true }, status, list);
  let asked = 0;
  const show = async () => {
    const query = input.value.trim();
    const mine = ++asked;
    if (!query) {
      panel.hidden = true;
      return;
    }
    panel.hidden = false;
    const ready = indexAllWorkspaces();
    let found = await search(query);
    if (mine !== asked) {
      return;
    }
    list.replaceChildren(...found.results.map(resultLink));
    status.textContent = found.total ? t('search.found', { count: found.total })
      : t('search.none');
    await ready.catch(() => null);
    if (mine === asked) {
      found = await search(query);
      if (mine === asked) {
        list.replaceChildren(...found.results.map(resultLink));
        status.textContent = found.total ? t('search.found', { count: found.total })
          : t('search.none');
      }
    }
  };
  input.addEventListener('input', () => show().catch(() => {
    status.textContent = t('search.failed');
  }));
  input.addEventListener('focus', () => indexAllWorkspaces().catch(() => null), { once: true });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      input.value = '';
      panel.hidden = true;
    }
  });
  list.addEventListener('click', () => {
    panel.hidden = true;
  });
  holder.replaceChildren(h('div', { class: 'search-box', role: 'search' }, input, panel));
}

export function stopSearch(holder) {
  forgetIndexing();
  holder.replaceChildren();
}
