/**
 * WebAuthn on the main thread (workers cannot call it): creating and using passkeys, always
 * asking for the PRF extension, and for a large blob where the authenticator has one (my heads
 * record, web/freshness.js: read or written with a sign-in's assertion). The PRF output goes to the crypto worker only; it is removed
 * from the credential JSON before anything is sent to the server.
 */

// Any fixed 32 bytes: each passkey's PRF turns it into its own secret.
const PRF_SALT = new TextEncoder().encode('paravent prf salt, version 1....');

let createdId = null;

/** The id (base64url) of the passkey this page last created, or null: the one to hold my heads
 * record until a sign-in names the passkey used. */
export function createdPasskeyId() {
  return createdId;
}

export class PasskeyError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function withPrf(options) {
  return { ...options, extensions: { ...(options.extensions ?? {}), prf: { eval: { first: PRF_SALT } } } };
}

function forServer(credential) {
  const json = credential.toJSON();
  json.clientExtensionResults = {};
  return json;
}

function prfOutput(credential) {
  const first = credential.getClientExtensionResults().prf?.results?.first;
  return first ? new Uint8Array(first) : null;
}

function explain(error) {
  if (error instanceof PasskeyError) {
    return error;
  }
  const cancelled = error?.name === 'NotAllowedError' || error?.name === 'AbortError';
  return new PasskeyError(cancelled ? 'passkey_cancelled' : 'passkey_failed', error?.message ?? String(error));
}

/** Creates a passkey; returns the credential for the server and the PRF output (or null). */
export async function createPasskey(publicKeyJSON) {
  try {
    const publicKey = withPrf(PublicKeyCredential.parseCreationOptionsFromJSON(publicKeyJSON));
    publicKey.extensions.largeBlob = { support: 'preferred' };
    const credential = await navigator.credentials.create({ publicKey });
    let output = prfOutput(credential);
    if (output === null && credential.getClientExtensionResults().prf?.enabled) {
      output = await evaluatePrf(credential.rawId, publicKey.rp.id);
    }
    createdId = credential.id;
    return { credential: forServer(credential), prfOutput: output };
  } catch (error) {
    throw explain(error);
  }
}

/** Some authenticators only evaluate PRF when used: a local assertion, never sent anywhere. */
async function evaluatePrf(rawId, rpId) {
  const assertion = await navigator.credentials.get({
    publicKey: withPrf({
      challenge: crypto.getRandomValues(new Uint8Array(32)),
      rpId,
      allowCredentials: [{ id: rawId, type: 'public-key' }],
      userVerification: 'required',
    }),
  });
  return prfOutput(assertion);
}

/**
 * Signs in with a discoverable passkey; returns the assertion for the server, the PRF output
 * and what the large blob extension gave (`largeBlob`: `{read: true}`, or `{write: bytes,
 * credentialId}` for the passkey that holds it; the result is `{blob}` or `{written}`).
 */
export async function usePasskey(publicKeyJSON, largeBlob = null) {
  try {
    const publicKey = withPrf(PublicKeyCredential.parseRequestOptionsFromJSON(publicKeyJSON));
    if (largeBlob?.write) {
      publicKey.extensions.largeBlob = { write: largeBlob.write };
      publicKey.allowCredentials = [{ type: 'public-key', id: largeBlob.credentialId }];
    } else if (largeBlob?.read) {
      publicKey.extensions.largeBlob = { read: true };
    }
    const credential = await navigator.credentials.get({ publicKey });
    return {
      credential: forServer(credential),
      prfOutput: prfOutput(credential),
      largeBlob: credential.getClientExtensionResults().largeBlob ?? null,
    };
  } catch (error) {
    throw explain(error);
  }
}
