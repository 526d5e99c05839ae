"""The hardening tests use the organizations and workspaces of the other API tests."""

from __future__ import annotations

from tests.api.workspaces.conftest import config, organization, workspace  # noqa: F401
