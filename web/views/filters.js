/** Filter selects (an "All" choice first) that keep what was chosen when rebuilt with new options. */

import { h } from '../dom.js';
import { t } from '../i18n/i18n.js';

/** Fills `container` with one labelled select per spec {id, label, options: [[value, text]]}. */
export function fillFilters(container, specs, onChange) {
  const chosen = Object.fromEntries(specs.map(({ id }) => [id, filterValue(container, id)]));
  container.replaceChildren(...specs.flatMap(({ id, label, options }) => {
    const select = h('select', { id, onchange: onChange },
      h('option', { value: '' }, t('activity.all')),
      ...options.map(([value, text]) => h('option', { value }, text)));
    select.value = chosen[id];
    return h('div', { class: 'field' }, h('label', { for: id }, label), select);
  }));
}

export function filterValue(container, id) {
  return container.querySelector(`#${id}`)?.value ?? '';
}
