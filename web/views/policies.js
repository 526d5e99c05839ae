/**
 * Sharing policy settings: `#/policy` for administrators (the organisation's) and
 * `#/policy/<workspace>` for a workspace (its members read the policy in force; its owners
 * tighten it; administrators set the organisation's there too). Which of download links and drop boxes exist, the longest duration, and whether
 * a password and a watermark are required. The server refuses what a policy forbids; the
 * share forms check it first (web/policies.js).
 */

import { h, show } from '../dom.js';
import { t } from '../i18n/i18n.js';
import {
  readOrganizationPolicy, readWorkspacePolicy, setOrganizationPolicy, setWorkspacePolicy,
} from '../policies.js';
import { session } from '../session.js';
import { attempt, errorBox, loadOrExplain, noticeBox, showNotice } from './feedback.js';

const EXTERNAL_FILES = ['download', 'download_watermarked', 'preview_only'];
const FLAGS = [['links', 'policy.links'], ['dropboxes', 'policy.dropboxes'],
  ['password_required', 'policy.passwordRequired'],
  ['watermark_required', 'policy.watermarkRequired']];

export function policySummary(policy) {
  const yes = (flag) => t(flag ? 'policy.yes' : 'policy.no');
  const required = (flag) => t(flag ? 'policy.required' : 'policy.optional');
  return t('policy.summary', { links: yes(policy.links), dropboxes: yes(policy.dropboxes),
    days: policy.max_days, password: required(policy.password_required),
    watermark: required(policy.watermark_required) });
}

function policyForm(id, title, policy, editable, save) {
  const box = errorBox();
  const notice = noticeBox(`${id}-saved`);
  const checks = FLAGS.map(([name, label]) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name, id: `${id}-${name}`, checked: policy[name],
      disabled: !editable }), ` ${t(label)}`));
  const days = h('input', { type: 'number', id: `${id}-max_days`, name: 'max_days', min: 1,
    max: 365, value: policy.max_days, required: true, disabled: !editable });
  const external = h('select', { id: `${id}-external_files`, name: 'external_files',
    disabled: !editable }, ...EXTERNAL_FILES.map((mode) => h('option',
    { value: mode, selected: policy.external_files === mode }, t(`policy.external.${mode}`))));
  const submit = editable ? h('button', { type: 'submit', id: `${id}-save` }, t('policy.save'))
    : null;
  const form = h('form', { id, onsubmit: (event) => {
    event.preventDefault();
    attempt(submit, box, async () => {
      const next = Object.fromEntries(FLAGS.map(([name]) => [name,
        form.querySelector(`[name=${name}]`).checked]));
      await save({ ...next, max_days: Number(days.value), external_files: external.value });
      showNotice(notice, t('policy.saved'));
    });
  } }, h('fieldset', {}, h('legend', {}, title), ...checks,
    h('div', { class: 'field' }, h('label', { for: `${id}-max_days` }, t('policy.maxDays')), days),
    h('div', { class: 'field' }, h('label', { for: `${id}-external_files` },
      t('policy.externalFiles')), external)),
  submit, notice, box);
  return form;
}

/** The organisation's policy (administrators), or a workspace's (`workspaceId`). */
export async function renderPolicies(view, workspaceId = null) {
  if (!workspaceId) {
    const policy = await loadOrExplain(view, t('policy.title'), readOrganizationPolicy);
    if (policy) {
      show(view, h('section', { class: 'panel', id: 'policy-page' },
        h('h1', {}, t('policy.title')),
        policyForm('organization-policy', t('policy.organization'), policy,
          session.user?.profile === 'admin', setOrganizationPolicy)));
    }
    return;
  }
  const policies = await loadOrExplain(view, t('policy.title'),
    () => readWorkspacePolicy(workspaceId));
  if (!policies) {
    return;
  }
  const effective = h('p', { id: 'policy-effective' },
    t('policy.effective', { text: policySummary(policies.effective) }));
  show(view, h('section', { class: 'panel', id: 'policy-page' },
    h('h1', {}, t('policy.title')), effective,
    policyForm('workspace-policy', t('policy.workspace'), policies.workspace, true,
      async (policy) => {
        const saved = await setWorkspacePolicy(workspaceId, policy);
        effective.textContent = t('policy.effective', { text: policySummary(saved.effective) });
      }),
    policyForm('organization-policy', t('policy.organization'), policies.organization,
      session.user?.profile === 'admin', async (policy) => {
        await setOrganizationPolicy(policy);
        const saved = await readWorkspacePolicy(workspaceId);
        effective.textContent = t('policy.effective', { text: policySummary(saved.effective) });
      })));
}
