/**
 * The page's entry point: renders the shell at once, then starts the crypto worker and the
 * realtime connection, and reflects the worker's state on <html data-crypto-state>.
 */

import { startCryptoWorker } from './crypto-client.js';
import { initI18n, t, translate } from './i18n/i18n.js';
import { connectRealtime } from './realtime.js';

const root = document.documentElement;
const { assetBase, manifestUrl, manifestSri } = document.body.dataset;

function showCryptoState(state, detail) {
  root.dataset.cryptoState = state;
  const message = document.getElementById('crypto-message');
  const error = document.getElementById('crypto-error');
  message.dataset.i18n = `crypto.${state}`;
  error.hidden = state !== 'error';
  error.textContent = state === 'error' ? t('crypto.errorDetail', { detail: detail?.message }) : '';
  translate(message.parentElement);
}

initI18n(document.getElementById('language-select'));
const crypto = startCryptoWorker({
  assetBase: new URL(assetBase, location.href).href,
  manifestUrl,
  manifestIntegrity: manifestSri,
});
crypto.onStateChange(showCryptoState);
document.addEventListener('languagechange', () => showCryptoState(crypto.state, crypto.detail));
const status = document.getElementById('connection-status');
connectRealtime(status);
status.addEventListener('statechange', () => translate(status.parentElement));
