"""Services shared by the whole test run (API tests and end-to-end tests alike), each started
once, by the first test that needs it: PostgreSQL, SeaweedFS (S3), Redis and an SMTP server on
loopback."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from e2e.harness.services.postgresql import PostgreSQL, postgresql_service
from e2e.harness.services.redis_server import Redis, running_redis
from e2e.harness.services.seaweedfs import SEAWEED_ACCESS, SeaweedFS, seaweedfs_service
from e2e.harness.services.smtp import SmtpServer, smtp_service


@pytest.fixture(scope="session")
def seaweedfs_server() -> Iterator[SeaweedFS]:
    """One SeaweedFS for the whole run (a test may stop and start it again); the S3
    credentials are put in this process's environment (and so in its children's)."""
    os.environ.update(SEAWEED_ACCESS)
    with seaweedfs_service() as service:
        yield service


@pytest.fixture(scope="session")
def s3_endpoint(seaweedfs_server: SeaweedFS) -> str:
    return seaweedfs_server.endpoint


@pytest.fixture(scope="session")
def postgres_service() -> Iterator[PostgreSQL]:
    """One PostgreSQL cluster for the whole run (a test may stop and start it again)."""
    with postgresql_service() as service:
        yield service


@pytest.fixture(scope="session")
def postgres_server(postgres_service: PostgreSQL) -> str:
    """The URL of the run's PostgreSQL maintenance database."""
    return postgres_service.url


@pytest.fixture(scope="session")
def redis_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Redis]:
    """One Debian redis-server on a free loopback port for the whole test run."""
    with running_redis(tmp_path_factory.mktemp("redis")) as service:
        yield service


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    """One SMTP server (aiosmtpd) for the whole run; each test empties or filters its mailbox."""
    with smtp_service() as service:
        yield service
