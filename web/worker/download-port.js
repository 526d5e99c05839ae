/**
 * A download's plaintext, sent to the downloads service worker over a MessagePort block by
 * block, each block's memory moved (transferred), not copied. A ReadableStream handed over whole
 * moves one block per round trip between the two threads (the other side asks for the next
 * only once it has taken one), and the worker spent most of a download waiting for those asks;
 * here the service worker asks for several blocks ahead (`{pull: n}`), and may cancel
 * (`{cancel: true}`). Messages to the service worker: `{name, mime, size}` once, then
 * `{block}` each, then `{done: true}` or `{error}`.
 */

export async function sendDownload(stream, about, port) {
  const reader = stream.getReader();
  let wanted = 0;
  let wake = () => {};
  port.onmessage = ({ data }) => {
    if (data.cancel) {
      reader.cancel().catch(() => {});
    }
    wanted += data.pull ?? 0;
    wake();
  };
  port.postMessage(about);
  try {
    for (;;) {
      while (wanted === 0) {
        await new Promise((resolve) => { wake = resolve; });
      }
      wanted -= 1;
      const { done, value } = await reader.read();
      if (done) {
        port.postMessage({ done: true });
        return;
      }
      port.postMessage({ block: value }, [value.buffer]);
    }
  } catch (error) {
    port.postMessage({ error: String(error.message ?? error) });
  }
}
