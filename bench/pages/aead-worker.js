/**
 * AEAD throughput on 1 MiB chunks, in one worker: raw libsodium.js (the wrappers' own
 * crypto_aead_xchacha20poly1305_ietf_* on Uint8Arrays) against pycrypto_wasm's envelope called
 * the way an upload calls it (JS chunk in, Python bytes, JS ciphertext out), booted through the
 * app's own python-runtime.js and sodium bridge. Rounds alternate to share any drift.
 */
const params = new URLSearchParams(location.search);
const base = params.get('assets');
const wheelPath = params.get('wheel');
const rounds = Number(params.get('rounds') ?? 5);
const chunksPerRound = Number(params.get('chunks') ?? 32);
const CHUNK = 1 << 20;

function randomChunk() {
  const chunk = new Uint8Array(CHUNK);
  for (let offset = 0; offset < CHUNK; offset += 65536) {
    crypto.getRandomValues(chunk.subarray(offset, offset + 65536));
  }
  return chunk;
}

function timed(operation) {
  const start = performance.now();
  for (let i = 0; i < chunksPerRound; i += 1) {
    operation();
  }
  const seconds = (performance.now() - start) / 1000;
  return (chunksPerRound * CHUNK) / seconds / 1e6;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  const { loadPyodide } = await import(`${base}vendor/pyodide/pyodide.mjs`);
  const { default: sodium } = await import(`${base}vendor/libsodium/libsodium-wrappers.mjs`);
  const { startPythonRuntime } = await import(`${base}web/worker/python-runtime.js`);
  const wheel = new Uint8Array(await (await fetch(`${base}${wheelPath}`)).arrayBuffer());
  const pyodide = await startPythonRuntime({
    loadPyodide, indexURL: `${base}vendor/pyodide/`, sodium, wheel,
  });
  pyodide.runPython(`
from pycrypto_wasm import envelope
from pycrypto_wasm.context import Context

KEY = bytes(range(32))
CONTEXT = Context(purpose="file-block", object_id="bench", version=1, block_index=0)

def seal_chunk(chunk):
    return envelope.seal(KEY, CONTEXT, chunk.to_bytes())

def open_chunk(sealed):
    return envelope.open_(KEY, CONTEXT, sealed.to_bytes())
`);
  const sealChunk = pyodide.globals.get('seal_chunk');
  const openChunk = pyodide.globals.get('open_chunk');
  const viaPython = (fn, input) => {
    const output = fn(input);
    const bytes = output.toJs();
    output.destroy();
    return bytes;
  };

  const chunk = randomChunk();
  const key = new Uint8Array(32).map((_, i) => i);
  const nonce = sodium.randombytes_buf(24);
  const ad = new Uint8Array(64);
  const rawSealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(chunk, ad, null, nonce, key);
  const pySealed = viaPython(sealChunk, chunk);
  const operations = {
    raw_encrypt: () => sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(chunk, ad, null, nonce, key),
    raw_decrypt: () => sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, rawSealed, ad, nonce, key),
    pycrypto_encrypt: () => viaPython(sealChunk, chunk),
    pycrypto_decrypt: () => viaPython(openChunk, pySealed),
  };
  const samples = Object.fromEntries(Object.keys(operations).map((name) => [name, []]));
  Object.values(operations).forEach((operation) => timed(operation));
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, operation] of Object.entries(operations)) {
      samples[name].push(timed(operation));
    }
  }
  const mbPerSecond = Object.fromEntries(
    Object.entries(samples).map(([name, values]) => [name, median(values)]));
  self.postMessage({ state: 'ready', mbPerSecond, samples, chunkBytes: CHUNK, chunksPerRound });
} catch (error) {
  self.postMessage({ state: 'error', error: String(error?.stack ?? error) });
}
