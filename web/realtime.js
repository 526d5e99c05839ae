/**
 * The Socket.IO connection to our server (WebSocket only: any server process can take it, see
 * the README's cluster section), and the header's connection pill.
 * A socket belongs to the session it connected with: reconnect it after signing in or out.
 * While the session is locked (session.js) the page holds it closed: nothing reconnects it.
 */

import { io } from '../vendor/socket.io/socket.io.esm.min.js';
import { onLockChange } from './session.js';

let socket = null;
let held = false;

/** The page's socket (connected by `connectRealtime`). */
export function realtimeSocket() {
  return socket;
}

/** Reconnect so the socket carries the session cookie set since it connected. */
export function reconnectRealtime() {
  socket.disconnect();
  if (!held) {
    socket.connect();
  }
}

/** Closes the socket and keeps it closed while `hold` (a locked session), or opens it again. */
function holdRealtime(hold) {
  const wasHeld = held;
  held = hold;
  if (hold) {
    socket?.disconnect();
  } else if (wasHeld) {
    socket?.connect();
  }
}

// Who hears of workspace changes: each listener with the element it draws in (the navigation's
// list, a view's own part), dropped once that element, having been in the page, has left it.
const workspaceListeners = new Map();

/** Calls `listener(change)` on each workspace change while `element` is in the page (a view may
 * ask before it has drawn `element`); returns what stops it. */
export function onWorkspaceChanged(listener, element) {
  workspaceListeners.set(listener, { element, drawn: false });
  return () => workspaceListeners.delete(listener);
}

function tellWorkspaceListeners(change) {
  workspaceListeners.forEach((holder, listener) => {
    if (holder.element.isConnected) {
      holder.drawn = true;
      listener(change);
    } else if (holder.drawn) {
      workspaceListeners.delete(listener);
    }
  });
}

/** Calls `listener(data)` on each server event `name` (the socket's own `connect` too). */
export function onServerEvent(name, listener) {
  socket.on(name, listener);
}

/** Calls `listener(reason)` when the server ends this user's session (e.g. revocation). */
export function onSessionEnded(listener) {
  socket.on('session:ended', ({ reason }) => listener(reason));
}

export function connectRealtime(statusElement) {
  socket = io({ transports: ['websocket'] });
  onLockChange(holdRealtime);
  const show = (state) => {
    statusElement.dataset.state = state;
    statusElement.dataset.i18n = `connection.${state}`;
    statusElement.dataset.transport = socket.io.engine?.transport?.name ?? '';
    statusElement.textContent = '';
    statusElement.dispatchEvent(new CustomEvent('statechange', { bubbles: true }));
  };
  socket.on('workspace:changed', tellWorkspaceListeners);
  socket.on('connect', () => show('connected'));
  socket.on('disconnect', () => show('disconnected'));
  socket.on('connect_error', () => show('disconnected'));
  return socket;
}
