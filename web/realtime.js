/**
 * The Socket.IO connection to our server (WebSocket first), and the header's connection pill.
 */

import { io } from '../vendor/socket.io/socket.io.esm.min.js';

export function connectRealtime(statusElement) {
  const socket = io({ transports: ['websocket', 'polling'] });
  const show = (state) => {
    statusElement.dataset.state = state;
    statusElement.dataset.i18n = `connection.${state}`;
    statusElement.dataset.transport = socket.io.engine?.transport?.name ?? '';
    statusElement.textContent = '';
    statusElement.dispatchEvent(new CustomEvent('statechange', { bubbles: true }));
  };
  socket.on('connect', () => show('connected'));
  socket.on('disconnect', () => show('disconnected'));
  socket.on('connect_error', () => show('disconnected'));
  return socket;
}
