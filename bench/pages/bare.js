/** Baseline page: starts a module worker that loads only Pyodide, from the same asset URLs. */
const base = new URLSearchParams(location.search).get('assets');
const worker = new Worker(`bare-worker.js?assets=${encodeURIComponent(base)}`, { type: 'module' });
worker.addEventListener('message', ({ data }) => {
  document.documentElement.dataset.state = data.state;
});
