"""Services shared by the whole test run (API tests and end-to-end tests alike), each started
once, by the first test that needs it: PostgreSQL, SeaweedFS (S3) and Redis on loopback."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from e2e.harness.services.postgresql import postgresql
from e2e.harness.services.redis_server import Redis, running_redis
from e2e.harness.services.seaweedfs import SEAWEED_ACCESS, seaweedfs


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """One SeaweedFS for the whole run; the S3 credentials are put in this process's
    environment (and so in its children's)."""
    os.environ.update(SEAWEED_ACCESS)
    with seaweedfs() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """One PostgreSQL cluster for the whole run; yields the URL of its maintenance database."""
    with postgresql() as url:
        yield url


@pytest.fixture(scope="session")
def redis_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Redis]:
    """One Debian redis-server on a free loopback port for the whole test run."""
    with running_redis(tmp_path_factory.mktemp("redis")) as service:
        yield service
