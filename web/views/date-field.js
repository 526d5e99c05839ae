/**
 * A calendar date typed as day, month and year in three labelled boxes, in the order the UI's
 * locale writes dates (`currentLocale`: day, month, year in French and British English; month,
 * day, year in US English), because <input type=date> ignores the language chosen in the page. Its value is an ISO `YYYY-MM-DD` string.
 */

import { h } from '../dom.js';
import { currentLocale, t } from '../i18n/i18n.js';

const WIDTHS = { day: 2, month: 2, year: 4 };
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function partsOrder() {
  return new Intl.DateTimeFormat(currentLocale()).formatToParts(new Date(2000, 10, 22))
    .map((part) => part.type).filter((type) => type in WIDTHS);
}

function isRealDate(year, month, day) {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1
    && date.getUTCDate() === day;
}

/**
 * `id` names the group (its boxes are `${id}-day`, `-month`, `-year`). Returns {element,
 * read()}: `read()` gives {iso} ('' when left empty and not `required`) or {error} (a
 * translated sentence saying what to fix).
 */
export function dateField({ id, label, value = '', required = false }) {
  const [, year = '', month = '', day = ''] = ISO_DATE.exec(value) ?? [];
  const initial = { year, month, day };
  const inputs = Object.fromEntries(partsOrder().map((part) => [part, h('input', {
    id: `${id}-${part}`, class: `date-${part}`, inputmode: 'numeric', pattern: '[0-9]*',
    maxlength: WIDTHS[part], size: WIDTHS[part] + 1, autocomplete: 'off', required,
    value: initial[part].replace(/^0(?=\d)/, ''),
  })]));
  const element = h('fieldset', { class: 'date-field', id },
    h('legend', {}, label),
    ...Object.entries(inputs).map(([part, input]) => h('span', { class: 'date-part' },
      h('label', { for: input.id }, t(`date.${part}`)), input)));
  const read = () => {
    const typed = Object.fromEntries(Object.entries(inputs).map(([part, input]) => [part, input.value.trim()]));
    const filled = Object.values(typed).filter(Boolean).length;
    const invalid = (error) => {
      Object.values(inputs).forEach((input) => input.setAttribute('aria-invalid', 'true'));
      return { error };
    };
    Object.values(inputs).forEach((input) => input.removeAttribute('aria-invalid'));
    if (filled === 0 && !required) {
      return { iso: '' };
    }
    if (filled < 3 || !Object.values(typed).every((text) => /^\d+$/.test(text))) {
      return invalid(t('date.incomplete', { label }));
    }
    const [y, m, d] = [typed.year, typed.month, typed.day].map(Number);
    if (typed.year.length !== 4 || !isRealDate(y, m, d)) {
      return invalid(t('date.invalid', { label }));
    }
    return { iso: `${typed.year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}` };
  };
  return { element, read };
}
