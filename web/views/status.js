/**
 * A dossier's status as it is true now, wherever a status is shown (the dossier list, its
 * status filter and sort, the open dossier): a recorded decision that lacks signatures of its
 * quorum is "Awaiting signatures 1/2", never "Decided" before it is in force.
 */

import { t } from '../i18n/i18n.js';

/** The statuses a dossier may show, in the order the committee's work goes through them. */
export const SHOWN_STATUSES = ['submitted', 'under_review', 'information_requested',
  'awaiting_signatures', 'decided', 'closed'];

function lastDecision(state) {
  return state.decisions[state.decisions.length - 1];
}

/** Which of SHOWN_STATUSES a dossier's replayed state (from the verified log) is in. */
export function shownStatus(state) {
  const decision = lastDecision(state);
  return state.status === 'decided' && decision && !decision.in_force
    ? 'awaiting_signatures' : state.status;
}

/** The status in words, with how many of the quorum signed while signatures are awaited. */
export function statusText(state) {
  const status = shownStatus(state);
  if (status !== 'awaiting_signatures') {
    return t(`dossier.status.${status}`);
  }
  const decision = lastDecision(state);
  return t('dossier.awaitingSignatures',
    { count: decision.signed_by.length, quorum: decision.quorum });
}
