/**
 * The result panel of an open dossier that is a laboratory result: its sample, category and
 * comment; for a partner's contact, their browser signs the receipt as the result is shown and,
 * for an abnormal or urgent result, offers "Acknowledge" (a second signed receipt). What was
 * signed is read back from the verified history, so a reload shows the same.
 */

import { h } from '../dom.js';
import { formatDateTime } from '../i18n/format.js';
import { t } from '../i18n/i18n.js';
import {
  ACKNOWLEDGED, OPENED, TO_ACKNOWLEDGE, myDeliveries, resultOf, signReceipt, signsReceipts,
} from '../receipts.js';
import { session } from '../session.js';
import { attempt, errorBox, showError } from './feedback.js';

function mine(receipts) {
  return receipts.find((receipt) => receipt.user_id === session.user.user_id) ?? null;
}

/** The panel for `dossier` in `workspaceId`, or null when the dossier is not a result. */
export function resultReceiptPanel(workspaceId, dossier) {
  const result = resultOf(dossier);
  if (!result) {
    return null;
  }
  const box = errorBox();
  const status = h('p', { id: 'receipt-status', role: 'status' });
  const acknowledge = h('button', { type: 'button', id: 'result-acknowledge', hidden: true },
    t('receipt.acknowledge'));
  const show = async () => {
    const delivery = (await myDeliveries(workspaceId, [dossier.document_id]))[dossier.document_id];
    const opened = mine(delivery?.opened ?? []);
    const acknowledged = mine(delivery?.acknowledged ?? []);
    status.dataset.state = acknowledged ? 'acknowledged' : opened ? 'opened' : 'sent';
    status.textContent = acknowledged
      ? t('receipt.acknowledged', { date: formatDateTime(acknowledged.at) })
      : opened ? t('receipt.opened', { date: formatDateTime(opened.at) }) : t('receipt.signing');
    acknowledge.hidden = Boolean(acknowledged) || !TO_ACKNOWLEDGE.includes(result.category);
  };
  acknowledge.addEventListener('click', () => attempt(acknowledge, box, async () => {
    await signReceipt(workspaceId, dossier.document_id, ACKNOWLEDGED);
    await show();
  }));
  const element = h('section', { class: 'panel result-receipt', id: 'result-receipt',
    dataset: { category: result.category }, 'aria-labelledby': 'result-receipt-title' },
  h('h3', { id: 'result-receipt-title' }, t('receipt.title')),
  h('p', {}, h('span', { class: `badge category-${result.category}`, id: 'result-category' },
    t(`board.category.${result.category}`)), ' ',
  h('span', { id: 'result-sample' }, t('receipt.sample', { sample: result.sample }))),
  result.comment ? h('p', { id: 'result-comment' }, result.comment) : null,
  signsReceipts() ? [status, acknowledge] : null, box);
  if (signsReceipts()) {
    signReceipt(workspaceId, dossier.document_id, OPENED)
      .then(show)
      .catch((error) => showError(box, error));
  }
  return element;
}
