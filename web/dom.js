/** Building the DOM without innerHTML: every text goes in as text, never as markup. */

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) {
      continue;
    }
    if (name.startsWith('on')) {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else {
      element.setAttribute(name, value === true ? '' : value);
    }
  }
  element.append(...nodes(children));
  return element;
}

/** Children as nodes: text as text, and nothing at all for null, undefined and false (which
 * `replaceChildren` would otherwise write out as the words "null" and "undefined"). */
function nodes(children) {
  return children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false)
    .map((child) => (child instanceof Node ? child : String(child)));
}

/** Replaces the content of `element` with `children`, skipping empty ones as `h` does. */
export function fill(element, ...children) {
  element.replaceChildren(...nodes(children));
  return element;
}

/** The main heading of what `root` shows: its h1, else its first h2. */
export function mainHeading(root) {
  return root.querySelector('h1') ?? root.querySelector('h2');
}

/**
 * Replaces the content of `root` and moves focus to its main heading, for keyboard users whose
 * focus was in the view being replaced; not on the page's first screen before the user has done
 * anything, where the first Tab must reach the skip link, and never away from the page's own
 * controls (skip link, language) where the user is tabbing while the view loads.
 */
export function show(root, ...children) {
  const focused = document.activeElement;
  const focusInView = !focused || focused === document.body || root.contains(focused);
  fill(root, ...children);
  const heading = mainHeading(root);
  if (heading && focusInView && navigator.userActivation.hasBeenActive) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

/** A labelled text field; returns [wrapper, input]. */
export function field(label, attributes = {}) {
  const id = `field-${attributes.name}`;
  const input = h('input', { id, ...attributes });
  return [h('div', { class: 'field' }, h('label', { for: id }, label), input), input];
}

export function formValues(form) {
  return Object.fromEntries(new FormData(form).entries());
}
