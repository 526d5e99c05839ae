/**
 * Dates, times and sizes as the UI's language writes them, in the browser's regional variant of
 * it (`currentLocale`): "12 févr. 2026, 17:29" and "50 Mio" in French, "Feb 12, 2026, 5:29 PM"
 * in US English and "12 Feb 2026, 17:29" in British English, "50 MiB" in English. Calendar dates (birth dates, due dates) are ISO `YYYY-MM-DD` strings
 * with no time zone, so they are formatted as UTC to keep the same day everywhere.
 */

import { currentLocale, t } from './i18n.js';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SIZE_UNITS = ['B', 'KiB', 'MiB', 'GiB'];

/** A moment given in Unix seconds, as a date and time. */
export function formatDateTime(seconds) {
  return new Intl.DateTimeFormat(currentLocale(), { dateStyle: 'medium', timeStyle: 'short' })
    .format(new Date(seconds * 1000));
}

/** A calendar date `YYYY-MM-DD`, as a date; anything else is shown as it is. */
export function formatDate(isoDate) {
  const match = ISO_DATE.exec(isoDate ?? '');
  if (!match) {
    return isoDate ?? '';
  }
  const [, year, month, day] = match.map(Number);
  return new Intl.DateTimeFormat(currentLocale(), { dateStyle: 'medium', timeZone: 'UTC' })
    .format(new Date(Date.UTC(year, month - 1, day)));
}

/** A number of bytes in binary units, with the language's decimal separator and unit names. */
export function formatSize(bytes) {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < SIZE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const number = new Intl.NumberFormat(currentLocale(), { maximumFractionDigits: unit ? 1 : 0 })
    .format(value);
  return t(`size.${SIZE_UNITS[unit]}`, { size: number });
}

/** Today in the browser's time zone, as `YYYY-MM-DD`. */
export function todayIso() {
  const now = new Date();
  const pad = (value) => String(value).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** A person as lists name them: "Name (Site)", or the name alone when the site is unknown. */
export function formatPerson(person) {
  return person.site ? `${person.display_name} (${person.site})` : person.display_name;
}
