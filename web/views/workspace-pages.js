/**
 * The pages of an open workspace: tabs (Dossiers, Activity, Members, Settings) that each show
 * one panel, and an open dossier as its own full-width page under the tabs, with a breadcrumb
 * back to the dossiers. Switching never reloads the workspace (every panel keeps following its
 * one state, forms keep what is typed); a tab chosen moves keyboard focus to its panel's heading,
 * as a route change does.
 */

import { h, mainHeading } from '../dom.js';
import { t } from '../i18n/i18n.js';

const TABS = ['dossiers', 'activity', 'members', 'settings'];

function focusHeading(panel) {
  const heading = mainHeading(panel);
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

/**
 * `panels`: an element per tab; `editor`: where the open dossier is drawn. Returns {element,
 * showDossier(name)}: showDossier brings the dossier page forward (its name in the breadcrumb).
 */
export function workspacePages(panels, editor) {
  const current = h('span', { id: 'breadcrumb-current', 'aria-current': 'page' });
  const backToList = h('button', { type: 'button', id: 'breadcrumb-dossiers', class: 'link-button' },
    t('workspace.tab.dossiers'));
  const dossierPage = h('section', { id: 'dossier-page', class: 'dossier-page', hidden: true,
    'aria-labelledby': 'breadcrumb-current' },
  h('nav', { class: 'breadcrumb no-print', 'aria-label': t('workspace.breadcrumb') },
    h('ol', {}, h('li', {}, backToList), h('li', {}, current))),
  editor);
  const tabs = new Map(TABS.map((name) => [name, h('button', {
    type: 'button', id: `tab-${name}`, class: 'tab', 'aria-controls': `tab-panel-${name}`,
    onclick: () => choose(name, { focus: true }) }, t(`workspace.tab.${name}`))]));
  const holders = new Map(TABS.map((name) => [name, h('div', {
    id: `tab-panel-${name}`, class: 'tab-panel', hidden: name !== 'dossiers' }, panels[name])]));

  function choose(name, { focus = false } = {}) {
    dossierPage.hidden = name !== 'dossier';
    holders.forEach((holder, tab) => { holder.hidden = tab !== name; });
    tabs.forEach((button, tab) => {
      const inDossier = name === 'dossier' && tab === 'dossiers';
      if (tab === name || inDossier) {
        button.setAttribute('aria-current', 'page');
      } else {
        button.removeAttribute('aria-current');
      }
    });
    if (focus) {
      focusHeading(name === 'dossier' ? dossierPage : holders.get(name));
    }
  }
  backToList.addEventListener('click', () => choose('dossiers', { focus: true }));
  const element = h('div', { class: 'workspace-pages' },
    h('nav', { class: 'tabs no-print', 'aria-label': t('workspace.sections') }, ...tabs.values()),
    ...holders.values(), dossierPage);
  return {
    element,
    showDossier(name) {
      current.textContent = name;
      choose('dossier');
    },
  };
}
