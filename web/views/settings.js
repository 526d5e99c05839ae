/** The Settings page: the person's own preferences on this Paravent, whatever the workspace:
 * the interface's language (the header's switch, also here) and how often they are mailed. */

import { api } from '../api.js';
import { h, show } from '../dom.js';
import { CATALOGS, currentLanguage, setLanguage, t } from '../i18n/i18n.js';
import { loadOrExplain } from './feedback.js';
import { preferencesSection } from './notifications.js';

const LANGUAGE_NAMES = { en: 'English', fr: 'Français' };

function languageSection() {
  const select = h('select', { id: 'settings-language', 'aria-describedby': 'settings-language-hint',
    onchange: () => {
      setLanguage(select.value);
      document.getElementById('language-select').value = select.value;
    } }, ...Object.keys(CATALOGS).map((code) => h('option', { value: code, lang: code,
    selected: code === currentLanguage() }, LANGUAGE_NAMES[code])));
  return h('section', { class: 'panel', 'aria-labelledby': 'settings-language-title' },
    h('h2', { id: 'settings-language-title' }, t('settings.language')),
    h('label', { for: 'settings-language' }, t('settings.languageLabel')), ' ', select,
    h('p', { class: 'hint', id: 'settings-language-hint' }, t('settings.languageHint')));
}

export async function renderSettings(root) {
  const preferences = await loadOrExplain(root, t('settings.title'),
    () => api('GET', '/api/notifications/preferences'));
  if (preferences === null) {
    return;
  }
  show(root, h('h1', { id: 'settings-title' }, t('settings.title')),
    languageSection(), preferencesSection(preferences));
}
