/** English messages. Every visible string has a key here and in fr.js. */
export default {
  'nav.skip': 'Skip to content',
  'language.label': 'Language',
  'connection.connecting': 'Connecting…',
  'connection.connected': 'Connected',
  'connection.disconnected': 'Offline — reconnecting…',
  'crypto.title': 'End-to-end encryption',
  'crypto.loading': 'Preparing encryption in this browser…',
  'crypto.ready': 'Encryption is ready. Your documents are encrypted in this browser before they leave it.',
  'crypto.error': 'Encryption could not start in this browser, so nothing can be opened or sent.',
  'crypto.errorDetail': 'Details: {detail}',
};
