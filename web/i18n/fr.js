/** Messages en français. Chaque texte visible a une clé ici et dans en.js. */
export default {
  'nav.skip': 'Aller au contenu',
  'language.label': 'Langue',
  'connection.connecting': 'Connexion…',
  'connection.connected': 'Connecté',
  'connection.disconnected': 'Hors ligne — reconnexion…',
  'crypto.title': 'Chiffrement de bout en bout',
  'crypto.loading': 'Préparation du chiffrement dans ce navigateur…',
  'crypto.ready': 'Le chiffrement est prêt. Vos documents sont chiffrés dans ce navigateur avant de le quitter.',
  'crypto.error': 'Le chiffrement n’a pas pu démarrer dans ce navigateur : rien ne peut être ouvert ni envoyé.',
  'crypto.errorDetail': 'Détails : {detail}',
};
