"""Shared keys and contexts for the crypto tests."""

from __future__ import annotations

import pytest

from pycrypto_wasm.context import Context


@pytest.fixture
def manifest_context() -> Context:
    return Context(purpose="dossier-manifest", workspace="ws-1", object_id="dossier-7", version=4)


@pytest.fixture
def block_context() -> Context:
    return Context(
        purpose="file-block", workspace="ws-1", object_id="file-2", version=1, block_index=3
    )
