/** Runs the AEAD benchmark worker and puts its JSON result on the page. */
const params = new URLSearchParams(location.search);
const worker = new Worker(`aead-worker.js?${params}`, { type: 'module' });
worker.addEventListener('message', ({ data }) => {
  document.getElementById('result').textContent = JSON.stringify(data);
  document.documentElement.dataset.state = data.state;
});
