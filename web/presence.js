/**
 * Presence: tells the server which dossier this page shows (again after a reconnect) and that
 * its user is typing a comment, and hands the workspace's viewers and typers to one listener,
 * the view's, until another view replaces it (`stopViewing`).
 */

import { realtimeSocket } from './realtime.js';

const TYPING_EVERY_MS = 2000;
let place = null;
let listener = null;
let lastTyping = 0;
let wired = false;

function announce() {
  if (place) {
    realtimeSocket()?.emit('presence:view', place, (reply) => {
      if (reply?.ok) {
        listener?.(reply);
      }
    });
  }
}

/** Shows dossier `dossierId` (or none) of `workspaceId`; `onChange(summary)` hears of others. */
export function viewing(workspaceId, dossierId, onChange) {
  const socket = realtimeSocket();
  if (!wired && socket) {
    wired = true;
    socket.on('connect', announce);
    socket.on('presence:changed', (summary) => {
      if (summary.workspace_id === place?.workspace_id) {
        listener?.(summary);
      }
    });
  }
  place = { workspace_id: workspaceId, dossier_id: dossierId };
  listener = onChange;
  announce();
}

/** The view that was viewing is gone (another route, a sign-out, a revocation): its listener
 * hears nothing more, and nothing is announced again on a reconnect until a view asks. */
export function stopViewing() {
  place = null;
  listener = null;
}

/** Says I am typing in the dossier I view (at most every two seconds). */
export function typing() {
  const now = Date.now();
  if (place?.dossier_id && now - lastTyping > TYPING_EVERY_MS) {
    lastTyping = now;
    realtimeSocket()?.emit('presence:typing', { dossier_id: place.dossier_id });
  }
}
