/**
 * The libsodium.js side of pycrypto_wasm's Pyodide backend (pycrypto_wasm/backend/sodiumjs.py).
 *
 * Each function takes Python bytes-like objects as Pyodide buffer proxies, reads them in place
 * (getBuffer, always released), copies them once into libsodium's own WebAssembly heap, calls the
 * low-level libsodium function, and writes the result straight into a preallocated Python
 * bytearray. Pyodide and libsodium have separate memories, so two copies per call is the floor.
 * Heap copies of secrets (keys, seeds, secret keys) are zeroed before they are freed.
 * Used unchanged by the browser's crypto worker and by the Node.js test runner.
 */

const NO_ADDRESS = 0;
const RANDOM_CHUNK = 65536;  // getRandomValues' limit per call

/** Marks an argument whose heap copy must be wiped after use. */
class Secret {
  constructor(pyBuffer) {
    this.pyBuffer = pyBuffer;
  }
}
const secret = (pyBuffer) => new Secret(pyBuffer);

export function createSodiumBridge(sodium) {
  const lib = sodium.libsodium;

  function copyIn(argument) {
    const isSecret = argument instanceof Secret;
    const pyBuffer = isSecret ? argument.pyBuffer : argument;
    if (pyBuffer === undefined || pyBuffer === null) {
      return { address: NO_ADDRESS, length: 0, isSecret };
    }
    const view = pyBuffer.getBuffer('u8');
    try {
      const length = view.data.length;
      const address = lib._malloc(Math.max(length, 1));
      lib.HEAPU8.set(view.data, address);
      return { address, length, isSecret };
    } finally {
      view.release();
    }
  }

  function reserveFor(pyOut, isSecret = false) {
    const { length } = pyOut;
    return { address: lib._malloc(Math.max(length, 1)), length, isSecret };
  }

  function copyOut(region, pyOut) {
    const view = pyOut.getBuffer('u8');
    try {
      view.data.set(lib.HEAPU8.subarray(region.address, region.address + region.length));
    } finally {
      view.release();
    }
  }

  function release(...regions) {
    for (const region of regions) {
      if (region.address !== NO_ADDRESS) {
        if (region.isSecret) {
          lib.HEAPU8.fill(0, region.address, region.address + region.length);
        }
        lib._free(region.address);
      }
    }
  }

  /**
   * Runs `call` on heap copies of `inputs` and an output region sized like `pyOut` (null: no
   * output); copies the output into `pyOut` and returns true when libsodium reports success.
   */
  function withHeap(pyOut, inputs, call) {
    const regions = inputs.map(copyIn);
    const out = pyOut === null ? null : reserveFor(pyOut);
    try {
      const status = call(out, ...regions);
      if (status === 0 && out !== null) {
        copyOut(out, pyOut);
      }
      return status === 0;
    } finally {
      release(...regions, ...(out === null ? [] : [out]));
    }
  }

  function expectSuccess(succeeded, name) {
    if (!succeeded) {
      throw new Error(`libsodium ${name} failed`);
    }
  }

  /** A key pair from a seed: the public key into `pyPublicKey`, the secret key (wiped from the
   * heap afterwards) into `pySecretKey`. */
  function seedKeypair(derive, pyPublicKey, pySecretKey, seed) {
    const secretKey = reserveFor(pySecretKey, true);
    try {
      expectSuccess(withHeap(pyPublicKey, [secret(seed)], (publicKey, s) =>
        derive(publicKey.address, secretKey.address, s.address)), 'seed_keypair');
      copyOut(secretKey, pySecretKey);
    } finally {
      release(secretKey);
    }
  }

  // Lengths of type unsigned long long are passed as (low, high) 32-bit halves.
  return {
    version: () => sodium.sodium_version_string(),

    /** The platform CSPRNG (the source libsodium.js itself uses), written in place. */
    randomBytes(pyOut) {
      const view = pyOut.getBuffer('u8');
      try {
        for (let offset = 0; offset < view.data.length; offset += RANDOM_CHUNK) {
          crypto.getRandomValues(view.data.subarray(offset, offset + RANDOM_CHUNK));
        }
      } finally {
        view.release();
      }
    },

    aeadEncrypt(pyOut, message, aad, nonce, key) {
      expectSuccess(withHeap(pyOut, [message, aad, nonce, secret(key)], (out, m, ad, n, k) =>
        lib._crypto_aead_xchacha20poly1305_ietf_encrypt(
          out.address, NO_ADDRESS, m.address, m.length, 0, ad.address, ad.length, 0,
          NO_ADDRESS, n.address, k.address)), 'aead encrypt');
    },

    aeadDecrypt(pyOut, ciphertext, aad, nonce, key) {
      return withHeap(pyOut, [ciphertext, aad, nonce, secret(key)], (out, c, ad, n, k) =>
        lib._crypto_aead_xchacha20poly1305_ietf_decrypt(
          out.address, NO_ADDRESS, NO_ADDRESS, c.address, c.length, 0, ad.address, ad.length, 0,
          n.address, k.address));
    },

    signSeedKeypair: (pyPublicKey, pySecretKey, seed) =>
      seedKeypair(lib._crypto_sign_seed_keypair, pyPublicKey, pySecretKey, seed),

    signDetached(pyOut, message, secretKey) {
      expectSuccess(withHeap(pyOut, [message, secret(secretKey)], (out, m, sk) =>
        lib._crypto_sign_detached(out.address, NO_ADDRESS, m.address, m.length, 0, sk.address)),
      'sign_detached');
    },

    signVerifyDetached(signature, message, publicKey) {
      return withHeap(null, [signature, message, publicKey], (_, sig, m, pk) =>
        lib._crypto_sign_verify_detached(sig.address, m.address, m.length, 0, pk.address));
    },

    boxSeedKeypair: (pyPublicKey, pySecretKey, seed) =>
      seedKeypair(lib._crypto_box_seed_keypair, pyPublicKey, pySecretKey, seed),

    boxSeal(pyOut, message, publicKey) {
      expectSuccess(withHeap(pyOut, [message, publicKey], (out, m, pk) =>
        lib._crypto_box_seal(out.address, m.address, m.length, 0, pk.address)), 'box_seal');
    },

    boxSealOpen(pyOut, ciphertext, publicKey, secretKey) {
      return withHeap(pyOut, [ciphertext, publicKey, secret(secretKey)], (out, c, pk, sk) =>
        lib._crypto_box_seal_open(out.address, c.address, c.length, 0, pk.address, sk.address));
    },

    generichash(pyOut, message, key) {
      expectSuccess(withHeap(pyOut, [message, secret(key)], (out, m, k) =>
        lib._crypto_generichash(out.address, out.length, m.address, m.length, 0,
          k.address, k.length)), 'generichash');
    },

    kdfDeriveFromKey(pyOut, subkeyId, context, key) {
      const low = subkeyId % 2 ** 32;
      const high = Math.floor(subkeyId / 2 ** 32);
      expectSuccess(withHeap(pyOut, [context, secret(key)], (out, ctx, k) =>
        lib._crypto_kdf_derive_from_key(out.address, out.length, low, high, ctx.address,
          k.address)), 'kdf_derive_from_key');
    },

    /** crypto_pwhash with ALG_ARGON2ID13; 64-bit lengths and opslimit go as (low, high). */
    pwhashArgon2id(pyOut, password, salt, opslimit, memlimit) {
      expectSuccess(withHeap(pyOut, [secret(password), salt], (out, pw, s) =>
        lib._crypto_pwhash(out.address, out.length, 0, pw.address, pw.length, 0, s.address,
          opslimit, 0, memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13)), 'pwhash_argon2id');
    },
  };
}
