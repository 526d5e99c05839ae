"""A workspace's workflow settings as the server enforces them: the clear copy of those in its
latest signed manifest (clients check entries against the signed ones), or the defaults."""

from __future__ import annotations

import json
from typing import Any

from api.storage.pool import get_store
from pycrypto_wasm.workspace.workflow import DEFAULT_WORKFLOW, check_workflow


def workflow_of(workspace_id: str, *, as_json: bool = False) -> Any:
    stored = (get_store().workspaces.workspace(workspace_id) or {}).get("workflow")
    settings = check_workflow(json.loads(stored) if stored else DEFAULT_WORKFLOW)
    return json.dumps(settings, sort_keys=True) if as_json else settings
