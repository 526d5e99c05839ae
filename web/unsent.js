/**
 * Unsent text: what the person typed in the open view and has not saved or sent yet (a comment
 * being written, a dossier's edited fields, any other form field changed from what the view drew).
 *
 * Before the idle lock wipes the page, `sealUnsent` reads it, has the crypto worker seal it to
 * the signed-in user's own encryption key (an addressed message, signed and sealed to oneself:
 * pycrypto_wasm/addressed.py), clears the fields, and keeps only that sealed message, in this
 * module's memory: never in clear in the DOM, localStorage or IndexedDB, and nothing a reload
 * keeps. Once the same user unlocks, `restoreUnsent` opens it and puts each text back into its
 * field when the same address (route and open dossier) draws it again. Someone else signing in,
 * or the user signing out, drops it (`dropUnsent`).
 * `hasUnsentText` tells the page whether leaving it (reload, closing the tab) would lose edits.
 */

import { cryptoClient } from './crypto-client.js';

// Fields that hold something typed: text boxes, text areas, lists and checkboxes of the view.
const FIELDS = 'textarea, select, input:not([type=file]):not([type=hidden]):not([type=password])'
  + ':not([type=submit]):not([type=button])';
// How long a restore waits for the view to draw the fields (views load their data first).
const RESTORE_WAIT_MS = 60_000;
let sealed = null;

const viewRoot = () => document.getElementById('view');

/** A field's key within the view: its id; a checkbox or radio by its name and value. */
function keyOf(element) {
  if (element.type === 'checkbox' || element.type === 'radio') {
    return element.name ? `${element.name}=${element.value}` : null;
  }
  return element.id || null;
}

function isChanged(element) {
  if (element.type === 'checkbox' || element.type === 'radio') {
    return element.checked !== element.defaultChecked;
  }
  if (element instanceof HTMLSelectElement) {
    // With no option marked selected, a single-choice list starts on its first option.
    const options = [...element.options];
    const drawnOn = Math.max(0, options.findLastIndex((option) => option.defaultSelected));
    return options.some((option, index) => option.selected
      !== (element.multiple ? option.defaultSelected : index === drawnOn));
  }
  return element.value !== element.defaultValue;
}

function changedFields(root = viewRoot()) {
  return [...(root?.querySelectorAll(FIELDS) ?? [])]
    .filter((element) => keyOf(element) && !element.disabled && isChanged(element));
}

/** Whether `form` holds edits not saved yet. */
export function hasChanges(form) {
  return changedFields(form).length > 0;
}

/** Takes what `form` holds now as saved: its fields no longer count as unsent (a form that stays
 * drawn after its save, as a dossier's does, would otherwise be warned about at every reload). */
export function markSaved(form) {
  form.querySelectorAll(FIELDS).forEach((element) => {
    if (element.type === 'checkbox' || element.type === 'radio') {
      element.defaultChecked = element.checked;
    } else if (element instanceof HTMLSelectElement) {
      [...element.options].forEach((option) => { option.defaultSelected = option.selected; });
    } else {
      element.defaultValue = element.value;
    }
  });
}

/** Whether the view holds text typed and not yet saved or sent. */
export function hasUnsentText() {
  return changedFields().length > 0;
}

function valueOf(element) {
  return element.type === 'checkbox' || element.type === 'radio' ? element.checked : element.value;
}

const CONTEXT = (userId) => ({ purpose: 'unsent-text', object_id: userId });

/** Seals the view's unsent text for `userId` (whose keys are still unlocked) and clears it from
 * the fields; keeps nothing when there is none. */
export async function sealUnsent(userId) {
  const fields = changedFields();
  sealed = null;
  if (!fields.length) {
    return;
  }
  const drafts = { route: location.hash, fields: fields.map((element) => [keyOf(element), valueOf(element)]) };
  const client = cryptoClient();
  const keys = await client.call('keys.public');
  const { message } = await client.call('message.send', {
    recipient_public_key: keys.public_key, context: CONTEXT(userId),
    plaintext: new TextEncoder().encode(JSON.stringify(drafts)),
  });
  sealed = { userId, message };
  fields.forEach((element) => {
    if (element.type === 'checkbox' || element.type === 'radio') {
      element.checked = element.defaultChecked;
    } else {
      element.value = '';
    }
  });
}

/** Forgets the sealed unsent text (another person signs in, or the user signed out). */
export function dropUnsent() {
  sealed = null;
}

function fieldFor(key) {
  const root = viewRoot();
  if (!root) {
    return null;
  }
  const [name, value] = key.split('=');
  return value !== undefined
    ? [...root.querySelectorAll('input[type=checkbox], input[type=radio]')]
      .find((element) => element.name === name && element.value === value) ?? null
    : root.querySelector(`#${CSS.escape(key)}`);
}

function put(element, value) {
  if (typeof value === 'boolean') {
    element.checked = value;
  } else {
    element.value = value;
  }
  element.dispatchEvent(new Event('input', { bubbles: true }));
  element.dispatchEvent(new Event('change', { bubbles: true }));
}

/** Puts the sealed text of `userId` back into its fields as the view draws them (at the same
 * address); opens it with the keys just unlocked. Returns how many fields it waits for. */
export async function restoreUnsent(userId) {
  const kept = sealed;
  sealed = null;
  if (!kept || kept.userId !== userId) {
    return 0;
  }
  const client = cryptoClient();
  const keys = await client.call('keys.public');
  const { plaintext } = await client.call('message.receive', {
    sender_verify_key: keys.verify_key, context: CONTEXT(userId), message: kept.message,
  });
  const drafts = JSON.parse(new TextDecoder().decode(plaintext));
  if (drafts.route !== location.hash) {
    return 0;
  }
  const waiting = new Map(drafts.fields);
  const fillDrawn = () => {
    waiting.forEach((value, key) => {
      const element = fieldFor(key);
      if (element && !element.disabled) {
        put(element, value);
        waiting.delete(key);
      }
    });
    if (!waiting.size || drafts.route !== location.hash) {
      stop();
    }
  };
  const observer = new MutationObserver(fillDrawn);
  const timer = setTimeout(() => stop(), RESTORE_WAIT_MS);
  const stop = () => {
    observer.disconnect();
    clearTimeout(timer);
  };
  observer.observe(document.body, { childList: true, subtree: true });
  fillDrawn();
  return drafts.fields.length;
}

/** Warns before a reload or a closed tab loses typed text (the browser asks to confirm). */
export function warnBeforeLeaving() {
  window.addEventListener('beforeunload', (event) => {
    if (hasUnsentText()) {
      event.preventDefault();
      event.returnValue = '';
    }
  });
}
