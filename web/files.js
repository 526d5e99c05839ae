/** File listings: server documents of kind "file", described (name, size, dossier) by the worker. */

import { api } from './api.js';
import { cryptoClient } from './crypto-client.js';

export async function loadFiles(workspaceId) {
  const { documents } = await api('GET', `/api/workspaces/${workspaceId}/documents?kind=file`);
  const { files } = await cryptoClient().call('file.describe', { workspace_id: workspaceId, documents });
  const byId = new Map(documents.map((document) => [document.document_id, document]));
  return files.map((file) => ({ ...file, document: byId.get(file.document_id) }));
}

export function formatSize(bytes) {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}
