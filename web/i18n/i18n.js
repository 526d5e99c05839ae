/**
 * The message catalog: every visible string goes through `t(key)`. The language is the
 * browser's by default (French or English), switchable in the header; the choice is kept in
 * localStorage (a preference, never a secret).
 */

import en from './en.js';
import fr from './fr.js';

export const CATALOGS = { en, fr };
const STORAGE_KEY = 'paravent.language';
let language = 'en';

function preferredLanguage() {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored in CATALOGS) {
    return stored;
  }
  const browser = (navigator.languages ?? [navigator.language]).map((tag) => tag.slice(0, 2));
  return browser.find((tag) => tag in CATALOGS) ?? 'en';
}

/** The message `key` in the current language, with `{name}` placeholders filled. */
export function t(key, values = {}) {
  const template = CATALOGS[language][key] ?? CATALOGS.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));
}

/** Fills every `[data-i18n]` element under `root` with its message. */
export function translate(root = document) {
  root.querySelectorAll('[data-i18n]').forEach((element) => {
    element.textContent = t(element.dataset.i18n);
  });
}

export function setLanguage(next) {
  language = next in CATALOGS ? next : 'en';
  localStorage.setItem(STORAGE_KEY, language);
  document.documentElement.lang = language;
  translate();
  document.dispatchEvent(new CustomEvent('languagechange'));
}

/** Picks the language and wires the header's switch. */
export function initI18n(select) {
  select.value = preferredLanguage();
  setLanguage(select.value);
  select.addEventListener('change', () => setLanguage(select.value));
}
