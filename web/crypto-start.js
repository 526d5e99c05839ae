/**
 * Starts the crypto worker as the page's first module, before app.js and its views are
 * evaluated, so Pyodide restores while the rest of the page loads. app.js then takes the
 * running client from `cryptoClient()`.
 */

import { startCryptoWorker } from './crypto-client.js';

const { assetBase, manifestUrl, manifestSri } = document.body.dataset;
startCryptoWorker({
  assetBase: new URL(assetBase, location.href).href,
  manifestUrl,
  manifestIntegrity: manifestSri,
});
