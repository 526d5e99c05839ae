/**
 * The message catalog: every visible string goes through `t(key)`. The language is the
 * browser's by default (French or English), switchable in the header; the choice is kept in
 * localStorage (a preference, never a secret). A message with a `count` may have plural forms
 * (`key.one`, `key.other`, chosen by Intl.PluralRules in the UI's language).
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

/** The UI's language ('en' or 'fr'): which catalog the messages come from. */
export function currentLanguage() {
  return language;
}

/**
 * The locale every Intl formatter uses: the browser's own locale when it is in the UI's
 * language (an en-GB browser writes "12 May 1941" and day/month/year, en-US "May 12, 1941"),
 * else the UI's language alone (a French UI in an English browser writes French dates).
 */
export function currentLocale() {
  const browser = globalThis.navigator?.languages ?? [];
  const regional = browser.find((tag) => tag.split('-')[0].toLowerCase() === language);
  return regional && Intl.DateTimeFormat.supportedLocalesOf(regional).length ? regional : language;
}

function lookup(key) {
  return CATALOGS[language][key] ?? CATALOGS.en[key];
}

/** Whether the catalog has a message for `key` (plural forms included). */
export function hasMessage(key) {
  return lookup(key) !== undefined || lookup(`${key}.other`) !== undefined;
}

function template(key, count) {
  if (typeof count === 'number' && lookup(`${key}.other`) !== undefined) {
    const form = new Intl.PluralRules(language).select(count);
    return lookup(`${key}.${form}`) ?? lookup(`${key}.other`);
  }
  return lookup(key) ?? key;
}

function shown(value) {
  return typeof value === 'number' ? new Intl.NumberFormat(currentLocale()).format(value)
    : String(value ?? '');
}

/** The message `key` in the current language, with `{name}` placeholders filled (numbers in
 * the language's format; the plural form chosen by `values.count`). */
export function t(key, values = {}) {
  return template(key, values.count).replace(/\{(\w+)\}/g, (_, name) => shown(values[name]));
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
