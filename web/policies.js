/**
 * Sharing policies in the browser: reading the organization's and a workspace's, setting them,
 * and `checkLinkAllowed`, the same rules as the server's `api/policies/rules.py`, applied before
 * a link or drop box is created. The server enforces what it can see (kind, expiry, password
 * proof); the page also enforces what only it sees (a watermark setting sealed in the link).
 */

import { api } from './api.js';

export const DAY_MS = 86400 * 1000;

export const readOrganizationPolicy = () => api('GET', '/api/policy');
export const setOrganizationPolicy = (policy) => api('PUT', '/api/policy', policy);
/** {organization, workspace, effective} for a workspace the user is a member of. */
export const readWorkspacePolicy = (workspaceId) =>
  api('GET', `/api/workspaces/${workspaceId}/policy`);
export const setWorkspacePolicy = (workspaceId, policy) =>
  api('PUT', `/api/workspaces/${workspaceId}/policy`, policy);

/**
 * Null when `policy` (an effective policy) allows a link of `kind` ('link' or 'dropbox') ending
 * at `expiresAt` (ms since the epoch), with or without a password and a watermark; otherwise
 * {code, days?}: the message key of the rule that refuses it.
 */
export function checkLinkAllowed(policy, { kind, expiresAt, password, watermark },
  now = Date.now()) {
  if (!(kind === 'link' ? policy.links : policy.dropboxes)) {
    return { code: kind === 'link' ? 'policy.no_links' : 'policy.no_dropboxes' };
  }
  if (expiresAt <= now) return { code: 'policy.expiry_past' };
  if (expiresAt > now + policy.max_days * DAY_MS) {
    return { code: 'policy.too_long', days: policy.max_days };
  }
  if (policy.password_required && !password) return { code: 'policy.password_required' };
  if (policy.watermark_required && !watermark) return { code: 'policy.watermark_required' };
  return null;
}
