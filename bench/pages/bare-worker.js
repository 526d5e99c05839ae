/** Loads bare Pyodide and says when Python can run. */
const base = new URLSearchParams(location.search).get('assets');
try {
  const { loadPyodide } = await import(`${base}vendor/pyodide/pyodide.mjs`);
  const pyodide = await loadPyodide({ indexURL: `${base}vendor/pyodide/`, fullStdLib: false });
  pyodide.runPython('1 + 1');
  self.postMessage({ state: 'ready' });
} catch (error) {
  self.postMessage({ state: 'error', error: String(error) });
}
