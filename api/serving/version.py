"""Paravent's version: the one in pyproject.toml, as installed or read from the checkout."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.metadata import PackageNotFoundError, version

from api.config import REPO_ROOT


@cache
def server_version() -> str:
    try:
        return version("pycrypto_wasm")
    except PackageNotFoundError:
        with (REPO_ROOT / "pyproject.toml").open("rb") as file:
            return tomllib.load(file)["project"]["version"]
