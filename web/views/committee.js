/**
 * A dossier's committee work, from its verified log: status and the moves my role allows,
 * who else is viewing or typing, document requests (open, overdue, received), the discussion
 * (@mentions, edit and delete with history), the decision (signed by its participants, with its
 * verification state and a printable summary) and the dossier's timeline.
 * `update(log)` redraws it when the log changes, keeping what is being typed; nothing here
 * reloads the page.
 */

import { confirmAction } from '../confirm.js';
import { fill, h } from '../dom.js';
import { formatDate, formatDateTime, formatPerson, todayIso } from '../i18n/format.js';
import { t } from '../i18n/i18n.js';
import { appendEntry, markRead } from '../log.js';
import { notifyMembers } from '../notifications.js';
import { typing, viewing } from '../presence.js';
import { session } from '../session.js';
import { dateField } from './date-field.js';
import { attempt, errorBox, showError, uiError } from './feedback.js';
import { shownStatus, statusText } from './status.js';

const OUTCOMES = ['accepted', 'refused', 'waiting_list'];
const TYPING_SHOWN_MS = 6000;
const MENTION = /@\[([^\]]{1,200})\]\((u-[0-9a-f]{8,64})\)/g;

/**
 * A draft shows mentions as "@Name"; the posted text carries them as `@[Name](u-…)` so that
 * every reader's page knows who was meant. Returns {draft, mentioned: [{name, id}]}.
 */
function draftOf(text) {
  const mentioned = [...text.matchAll(MENTION)].map((match) => ({ name: match[1], id: match[2] }));
  return { draft: text.replace(MENTION, (_, name) => `@${name}`), mentioned };
}

/** The ids of the people `text` mentions. */
function mentionedIds(text) {
  return [...text.matchAll(MENTION)].map((match) => match[2]);
}

/** The text to post for `draft`: each "@Name" of a member (or of someone the text already
 * mentioned) becomes a mention of that person; longest names first. */
function postedText(draft, people, mentioned = []) {
  const known = [...people.values()].map((person) => ({ name: person.display_name, id: person.user_id }))
    .concat(mentioned).sort((a, b) => b.name.length - a.name.length);
  return known.reduce((text, { name, id }) => text.split(`@${name}`).join(`@[${name}](${id})`), draft);
}

/** Comment text with @mentions as highlighted names (as text nodes, never markup). */
function withMentions(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(MENTION)) {
    parts.push(text.slice(last, match.index));
    const me = match[2] === session.user.user_id;
    parts.push(h('mark', { class: me ? 'mention mention-me' : 'mention' }, `@${match[1]}`));
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

/** Who else views or types here. `known(id)` is the verified person of that id (a member of
 * the workspace, or someone the verified directory certifies). */
function presenceLine(summary, dossierId, known) {
  const me = session.user.user_id;
  const name = (id) => known(id)?.display_name ?? id;
  const others = (summary?.viewers?.[dossierId] ?? []).filter((id) => id !== me);
  const typers = (summary?.typing?.[dossierId] ?? []).filter((id) => id !== me);
  return [
    others.length ? h('span', { class: 'viewers' }, t('committee.viewing', {
      names: others.map((id) => (known(id) ? formatPerson(known(id)) : id)).join(', ') })) : null,
    typers.length ? h('span', { class: 'typing' }, ' ', t('committee.typing', {
      names: typers.map(name).join(', ') })) : null,
  ];
}

/**
 * Runs `draw`, which rebuilds `container`, keeping what the person was typing: the values of
 * its fields (by id) and the focus. Another member's entry redraws the panel; it must not
 * wipe a comment or a decision in progress.
 */
function redrawKeepingInput(container, draw) {
  const fields = [...container.querySelectorAll('input[id], textarea[id], select[id]')];
  const typed = new Map(fields.map((field) => [field.id, field.type === 'checkbox' ? field.checked : field.value]));
  const focused = container.contains(document.activeElement) ? document.activeElement.id : null;
  draw();
  typed.forEach((value, id) => {
    const field = container.querySelector(`#${CSS.escape(id)}`);
    if (field && field.type === 'checkbox') {
      field.checked = value;
    } else if (field) {
      field.value = value;
    }
  });
  if (focused) {
    container.querySelector(`#${CSS.escape(focused)}`)?.focus();
  }
}

/** Empties the field now on screen with the id of `field` (which a redraw may have replaced). */
function clearLive(field) {
  const live = document.getElementById(field.id) ?? field;
  live.value = '';
}

/** The first request still open past its due date: the dossier may not be closed over it. */
function overdueRequest(state) {
  return state.requests.find((request) => request.overdue && !request.fulfilled_by);
}

function statusActions(state, may, record, refuse) {
  const buttons = [];
  const move = (button, kind) => {
    const overdue = kind === 'close' ? overdueRequest(state) : null;
    if (overdue) {
      refuse(t('committee.closeBlocked', { what: draftOf(overdue.what).draft, date: formatDate(overdue.due) }));
      return;
    }
    record(button, kind, { note: '' });
  };
  for (const kind of ['review', 'close', 'reopen']) {
    if (state.moves.includes(kind) && may(kind)) {
      buttons.push(h('button', { type: 'button', class: `move move-${kind}`, onclick: (event) =>
        move(event.target, kind) }, t(`committee.move.${kind}`)));
    }
  }
  return h('div', { class: 'inline-form no-print', id: 'status-actions' }, ...buttons);
}

function requestsPart(state, may, people, files, record, refuse) {
  const canWrite = may('request');
  const items = state.requests.map((request) => {
    const fulfilled = request.fulfilled_by;
    const chooser = h('select', { class: 'request-file', 'aria-label': t('committee.requestFile') },
      ...files.map((file) => h('option', { value: file.document_id }, file.name)));
    return h('li', { class: ['request', fulfilled ? 'fulfilled' : 'open', request.overdue ? 'overdue' : '']
      .join(' ').trim(), dataset: { seq: request.seq } },
    h('input', { type: 'checkbox', disabled: true, checked: Boolean(fulfilled),
      'aria-label': draftOf(request.what).draft }),
    h('span', { class: 'request-what' }, withMentions(request.what)), ' ',
    h('span', { class: 'muted' }, t('committee.due', { date: formatDate(request.due) })),
    request.overdue ? h('span', { class: 'badge badge-invalid' }, t('committee.overdue')) : null,
    fulfilled
      ? h('span', { class: 'badge badge-verified' }, t('committee.received', {
        name: files.find((file) => file.document_id === fulfilled.file_id)?.name ?? fulfilled.file_id }))
      : canWrite && files.length ? [chooser, h('button', { type: 'button', class: 'fulfil', onclick: (event) =>
        record(event.target, 'request_fulfilled', { request: request.seq, file_id: chooser.value }) },
      t('committee.markReceived'))] : null);
  });
  const what = h('input', { id: 'request-what', required: true, placeholder: t('committee.requestWhat') });
  const due = dateField({ id: 'request-due', label: t('committee.requestDue'), required: true });
  const to = h('select', { id: 'request-to' }, h('option', { value: '' }, t('committee.requestToNobody')),
    ...[...people.values()].filter((person) => person.user_id !== session.user.user_id)
      .map((person) => h('option', { value: person.user_id }, person.display_name)));
  const submit = h('button', { type: 'submit', id: 'request-submit' }, t('committee.requestSend'));
  const form = canWrite ? h('form', { class: 'request-form no-print', onsubmit: async (event) => {
    event.preventDefault();
    const { iso, error } = due.read();
    if (error || iso < todayIso()) {
      refuse(error ?? t('committee.dueInPast', { date: formatDate(iso) }));
      return;
    }
    const addressee = people.get(to.value);
    const asked = postedText(what.value.trim(), people);
    const text = addressee && !mentionedIds(asked).includes(addressee.user_id)
      ? `${asked} @[${addressee.display_name}](${addressee.user_id})` : asked;
    if (await record(submit, 'request', { what: text, due: iso })) {
      clearLive(what);
      clearLive(to);
    }
  } }, h('div', { class: 'field' }, h('label', { for: 'request-what' }, t('committee.requestLabel')), what),
  h('div', { class: 'field' }, h('label', { for: 'request-to' }, t('committee.requestTo')), to),
  due.element, submit) : null;
  return h('section', { class: 'committee-part', 'aria-labelledby': 'requests-title' },
    h('h3', { id: 'requests-title' }, t('committee.requests')),
    items.length ? h('ul', { id: 'request-list', class: 'plain-list' }, ...items)
      : h('p', { class: 'empty', id: 'request-list' }, t('committee.noRequests')), form);
}

function commentItem(comment, people, record) {
  const author = people.get(comment.author);
  const mine = comment.author === session.user.user_id;
  const body = h('p', { class: 'comment-text' },
    comment.deleted ? h('em', {}, t('committee.deleted')) : withMentions(comment.text));
  const edit = () => {
    const { draft, mentioned } = draftOf(comment.text);
    const input = h('textarea', { class: 'comment-edit-text', rows: 3, 'aria-label': t('committee.commentLabel') },
      draft);
    const save = h('button', { type: 'button', class: 'comment-save' }, t('committee.save'));
    save.addEventListener('click', () => record(save, 'comment_edit',
      { comment: comment.seq, text: postedText(input.value, people, mentioned) }));
    body.replaceChildren(input, save);
    input.focus();
  };
  return h('li', { class: 'comment', dataset: { seq: comment.seq } },
    h('div', { class: 'comment-meta' }, h('strong', {}, author?.display_name ?? comment.author),
      author?.site ? ` (${author.site})` : '', ` — ${formatDateTime(comment.written_at)}`,
      comment.history.length ? h('span', { class: 'muted' }, ' ', t('committee.edited')) : null),
    body,
    comment.history.length ? h('details', { class: 'comment-history' },
      h('summary', {}, t('committee.history', { count: comment.history.length })),
      h('ol', {}, ...comment.history.map((old) => h('li', {}, `${formatDateTime(old.written_at)} — `,
        withMentions(old.text))))) : null,
    mine && !comment.deleted ? h('div', { class: 'inline-form no-print' },
      h('button', { type: 'button', class: 'comment-edit', onclick: edit }, t('committee.edit')),
      h('button', { type: 'button', class: 'comment-delete danger', onclick: async (event) => {
        const button = event.target;
        if (await confirmAction(t('committee.confirmDelete'))) {
          record(button, 'comment_delete', { comment: comment.seq });
        }
      } }, t('committee.delete'))) : null);
}

function discussionPart(state, may, people, named, record) {
  const text = h('textarea', { id: 'comment-text', rows: 3, oninput: typing,
    'aria-describedby': 'comment-mention-hint' });
  const mention = h('select', { id: 'comment-mention', 'aria-label': t('committee.mention'),
    onchange: () => {
      const person = people.get(mention.value);
      if (person) {
        text.value += `${text.value && !text.value.endsWith(' ') ? ' ' : ''}@${person.display_name} `;
        text.focus();
      }
      mention.value = '';
    } }, h('option', { value: '' }, t('committee.mention')),
  ...[...people.values()].map((person) => h('option', { value: person.user_id }, person.display_name)));
  const post = h('button', { type: 'submit', id: 'comment-post' }, t('committee.post'));
  const form = may('comment') ? h('form', { class: 'no-print', onsubmit: async (event) => {
    event.preventDefault();
    if (text.value.trim() && await record(post, 'comment', { text: postedText(text.value, people) })) {
      clearLive(text);
    }
  } }, h('label', { for: 'comment-text' }, t('committee.commentLabel')), text,
  h('p', { class: 'hint', id: 'comment-mention-hint' }, t('committee.mentionHint')),
  h('div', { class: 'inline-form' }, mention, post)) : null;
  return h('section', { class: 'committee-part', 'aria-labelledby': 'discussion-title' },
    h('h3', { id: 'discussion-title' }, t('committee.discussion')),
    h('ol', { id: 'comment-list', class: 'plain-list' },
      ...state.comments.map((comment) => commentItem(comment, named, record))),
    state.comments.length ? null : h('p', { class: 'empty' }, t('committee.noComments')), form);
}

function decisionSummary(decision, dossier, people, chainVerified, record) {
  const fields = dossier.fields ?? {};
  const me = session.user.user_id;
  const names = (ids) => ids.map((id) => people.get(id)?.display_name ?? id).join(', ');
  const pending = decision.participants.filter((id) => !decision.signed_by.includes(id));
  return h('article', { class: 'decision', id: 'decision', dataset: { outcome: decision.outcome } },
    h('h4', {}, t('committee.decisionTitle'), ' ', h('span', { class: 'outcome' },
      t(`committee.outcome.${decision.outcome}`))),
    h('p', { class: 'decision-patient' }, t('committee.patient', {
      name: fields.patient_name ?? '', born: fields.birth_date ? formatDate(fields.birth_date) : '—',
      site: fields.referring_site || '—', unit: fields.requested_unit || '—' })),
    h('p', {}, h('strong', {}, t('committee.reasons')), ' ', decision.reasons),
    decision.conditions ? h('p', {}, h('strong', {}, t('committee.conditions')), ' ', decision.conditions) : null,
    h('p', {}, h('strong', {}, t('committee.participants')), ' ', names(decision.participants)),
    h('p', { class: 'signatures' }, h('strong', {}, t('committee.signedBy')), ' ', names(decision.signed_by), ' ',
      chainVerified
        ? h('span', { class: 'badge badge-verified', id: 'decision-verified' }, t('committee.signaturesVerified'))
        : h('span', { class: 'badge badge-invalid' }, t('committee.signaturesUnverified'))),
    pending.length ? h('p', { class: 'muted' }, t('committee.awaiting', { names: names(pending) })) : null,
    h('p', { class: decision.in_force ? 'in-force' : 'awaiting-quorum', id: 'decision-force' },
      t(decision.in_force ? 'committee.inForce' : 'committee.awaitingQuorum', {
        count: decision.signed_by.length, quorum: decision.quorum })),
    h('p', { class: 'muted' }, t('committee.recordedAt', { when: formatDateTime(decision.written_at) })),
    h('div', { class: 'inline-form no-print' },
      pending.includes(me) ? h('button', { type: 'button', id: 'decision-endorse', onclick: (event) =>
        record(event.target, 'endorse', { decision: decision.seq }) }, t('committee.endorse')) : null,
      h('button', { type: 'button', id: 'decision-print', onclick: () => window.print() }, t('committee.print'))));
}

function decisionForm(state, may, people, record) {
  if (!state.moves.includes('decision')) {
    return null;
  }
  if (!may('decision')) {
    return h('p', { class: 'notice', id: 'decision-not-allowed' }, t('committee.decisionNotAllowed'));
  }
  const outcome = h('select', { id: 'decision-outcome' },
    ...OUTCOMES.map((value) => h('option', { value }, t(`committee.outcome.${value}`))));
  const reasons = h('textarea', { id: 'decision-reasons', rows: 3, required: true });
  const conditions = h('textarea', { id: 'decision-conditions', rows: 2 });
  const participants = [...people.values()].map((person) => h('label', { class: 'participant' },
    h('input', { type: 'checkbox', name: 'participants', value: person.user_id,
      id: `decision-participant-${person.user_id}`, checked: person.user_id === session.user.user_id }),
    ` ${formatPerson(person)}`));
  const submit = h('button', { type: 'submit', class: 'primary', id: 'decision-record' }, t('committee.decide'));
  const form = h('form', { id: 'decision-form', class: 'no-print', onsubmit: (event) => {
    event.preventDefault();
    record(submit, 'decision', {
      outcome: outcome.value, reasons: reasons.value, conditions: conditions.value,
      participants: [...form.querySelectorAll('input[name=participants]:checked')].map((box) => box.value),
    });
  } },
  h('div', { class: 'field' }, h('label', { for: 'decision-outcome' }, t('committee.outcome')), outcome),
  h('div', { class: 'field' }, h('label', { for: 'decision-reasons' }, t('committee.reasons')), reasons),
  h('div', { class: 'field' }, h('label', { for: 'decision-conditions' }, t('committee.conditions')), conditions),
  h('fieldset', {}, h('legend', {}, t('committee.participants')), ...participants), submit);
  return form;
}

function timelinePart(state, people) {
  return h('details', { class: 'committee-part no-print', id: 'dossier-timeline' },
    h('summary', {}, t('committee.timeline', { count: state.timeline.length })),
    h('ol', {}, ...state.timeline.map((item) => h('li', { dataset: { kind: item.kind } },
      `${formatDateTime(item.written_at)} — ${people.get(item.author)?.display_name ?? item.author} — `,
      t(`activity.kind.${item.kind}`)))));
}

/**
 * The committee panel of `dossier`. `context`: {workspaceId, people (Map of verified members
 * by id, who may be mentioned or take part), everyone (Map of every certified user by id, to name
 * past authors), files (the dossier's files)}. What I may record comes from the log as the worker
 * read it (my verified role). Returns {element, update(log), setFiles(files), setDossier(latest),
 * setPeople(people, everyone)}: `setDossier` with the dossier's newest version, so the decision
 * summary shows its fields; `setPeople` when the members change (then `update` redraws).
 */
export function committeeSection(opened, context) {
  let dossier = opened;
  const { workspaceId } = context;
  let { people } = context;
  let named = new Map([...context.everyone, ...people]);
  const box = errorBox();
  const presence = h('p', { id: 'presence', class: 'muted', 'aria-live': 'polite' });
  const body = h('div', {});
  let summary = null;
  let current = null;
  // Whom an entry concerns, told once it is in the log: the members a comment (or the part
  // of an edit that is new) or a request mentions, a decision's other participants.
  const concerned = (kind, content) => {
    if (kind === 'decision') {
      return ['signature_awaited', content.participants];
    }
    if (kind === 'request') {
      return ['document_request', mentionedIds(content.what)];
    }
    const before = kind === 'comment_edit' ? current?.dossiers[dossier.document_id]?.comments
      .find((comment) => comment.seq === content.comment)?.text ?? '' : '';
    return ['mention', mentionedIds(content.text ?? '').filter((id) => !mentionedIds(before).includes(id))];
  };
  const record = async (button, kind, content) => {
    const seq = await attempt(button, box, () =>
      appendEntry(workspaceId, kind, { dossier_id: dossier.document_id, ...content }));
    if (seq && ['comment', 'comment_edit', 'request', 'decision'].includes(kind)) {
      const [notification, ids] = concerned(kind, content);
      notifyMembers(workspaceId, notification, ids.filter((id) => people.has(id)), dossier.document_id);
    }
    return seq;
  };
  const refuse = (text) => showError(box, uiError(text), { focus: true });
  const drawPresence = () => {
    // A presence change heard as the panel was being replaced (another dossier, a sign-out).
    if (presence.isConnected) {
      fill(presence, ...presenceLine(summary, dossier.document_id, (id) => named.get(id)));
    }
  };
  const update = (log) => {
    current = log;
    const state = log.dossiers[dossier.document_id] ?? log.new_dossier;
    const may = (kind) => Boolean(log.permissions[kind]);
    const decision = state.decisions[state.decisions.length - 1];
    redrawKeepingInput(body, () => fill(body,
      h('p', {}, t('committee.status'), ' ', h('strong', { id: 'dossier-status',
        dataset: { status: state.status, shown: shownStatus(state) } }, statusText(state))),
      ...state.problems.map((problem) => h('p', { class: 'error', lang: 'en' }, problem)),
      statusActions(state, may, record, refuse),
      requestsPart(state, may, people, context.files, record, refuse),
      discussionPart(state, may, people, named, record),
      h('section', { class: 'committee-part decision-part', 'aria-labelledby': 'decision-title' },
        h('h3', { id: 'decision-title' }, t('committee.decision')),
        decision ? decisionSummary(decision, dossier, named, log.chain.verified, record) : null,
        decisionForm(state, may, people, record)),
      timelinePart(state, named)));
    const lastComment = state.comments[state.comments.length - 1]?.seq ?? 0;
    if (lastComment > (log.readMarkers[dossier.document_id] ?? 0)) {
      log.readMarkers[dossier.document_id] = lastComment;
      markRead(workspaceId, dossier.document_id, lastComment).catch(() => {});
    }
  };
  let typingTimer = null;
  viewing(workspaceId, dossier.document_id, (next) => {
    summary = next;
    drawPresence();
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => {
      summary = { ...summary, typing: {} };
      drawPresence();
    }, TYPING_SHOWN_MS);
  });
  const heading = h('h2', { id: 'committee-title' });
  const setTitle = () => { heading.textContent = t('committee.title', { patient: dossier.fields?.patient_name ?? '' }); };
  setTitle();
  const element = h('section', { class: 'panel committee', id: 'committee', 'aria-labelledby': 'committee-title' },
    heading, presence, box, body);
  const redraw = () => {
    if (current) {
      update(current);
    }
  };
  const setFiles = (files) => {
    context.files = files;
    redraw();
  };
  const setDossier = (latest) => {
    if (latest && !latest.problem && latest.version > dossier.version) {
      dossier = latest;
      setTitle();
      if (current?.dossiers[dossier.document_id]?.decisions.length) {
        redraw();
      }
    }
  };
  const setPeople = (nextPeople, everyone) => {
    people = nextPeople;
    named = new Map([...everyone, ...people]);
    drawPresence();
  };
  return { element, update, setFiles, setDossier, setPeople };
}
