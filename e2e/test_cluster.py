"""Two server processes behind nginx, on one PostgreSQL database and one S3 bucket, meeting
through Redis: members whose pages are held by different processes see each other's live
changes and presence, run the short-code invitation, download a file uploaded through the other
process, a member removed through one process drops out of the presence the other relays, and a
revocation made through one process ends the page held by the other; rate limits count every
process's requests together."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from redis import Redis

from e2e.harness import flows
from e2e.harness.cluster import Backends, Cluster
from e2e.harness.flows import ADMIN, MEMBER
from e2e.harness.services.nginx import PIN_HEADER
from e2e.harness.services.postgresql import create_database, drop_database

TIMEOUT_MS = 30_000
WORKSPACE = "Commission inter-sites"
PATIENT = "M. Paul Réseau"
COMMENT = "Vu depuis le second processus"
JOIN_LIMIT = 60  # Config.ceremony_requests_per_minute
FILE_NAME = "irm-inter-sites.bin"
FILE_BYTES = 3 * 1024 * 1024 + 17  # several blocks


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, postgres_server, s3_endpoint, redis_service):
    """The cluster on the run's PostgreSQL, SeaweedFS and Redis (shared with the API tests):
    a database and a bucket prefix of its own, and a Redis database the API tests' flushes
    leave alone."""
    name = f"cluster_{uuid.uuid4().hex}"
    backends = Backends(create_database(postgres_server, name), f"s3://paravent-cluster/{name}",
                        s3_endpoint, redis_service.database_url(1))
    cluster = Cluster(tmp_path_factory.mktemp("cluster"), backends, pinnable=True).start()
    yield cluster
    cluster.stop()
    drop_database(postgres_server, name)


def _pinned(new_user, process: int):
    """A browser whose every request (its WebSocket included) goes to process `process`."""
    return new_user(extra_http_headers={PIN_HEADER: str(process)})


def _open_dossier(user):
    flows.open_workspace(user, WORKSPACE)
    user.page.locator(f"#dossier-table tr:has-text('{PATIENT}') button").click()
    user.page.wait_for_selector("#committee", timeout=TIMEOUT_MS)


def test_cluster_members_on_two_processes_work_live_together(cluster, new_user):
    admin, member = _pinned(new_user, 0), _pinned(new_user, 1)
    flows.bootstrap(admin, cluster.bootstrap_link("CHU Grappe"), ADMIN)
    flows.certified_member(admin, member, MEMBER)

    flows.go_home(admin)
    flows.create_workspace(admin, WORKSPACE)
    flows.share_workspace(admin, MEMBER)
    flows.new_dossier(admin, PATIENT)
    _open_dossier(member)
    _open_dossier(admin)
    admin.page.locator(f"#presence:has-text('{MEMBER.name}')").wait_for(timeout=TIMEOUT_MS)
    member.page.locator(f"#presence:has-text('{ADMIN.name}')").wait_for(timeout=TIMEOUT_MS)

    member.page.click("#comment-text")
    member.page.keyboard.type(COMMENT)
    admin.page.locator(f"#presence .typing:has-text('{MEMBER.name}')").wait_for(
        timeout=TIMEOUT_MS)
    member.page.click("#comment-post")
    admin.page.locator(f"#comment-list li:has-text('{COMMENT}')").wait_for(timeout=TIMEOUT_MS)

    # Blocks uploaded through one process are in the bucket the other reads.
    content = os.urandom(FILE_BYTES)
    admin.page.set_input_files("#file-input", files=[
        {"name": FILE_NAME, "mimeType": "application/octet-stream", "buffer": content}])
    shared_file = member.page.locator(f"#file-list li[data-name='{FILE_NAME}']")
    shared_file.wait_for(timeout=TIMEOUT_MS)
    with member.page.expect_download(timeout=TIMEOUT_MS) as download:
        shared_file.locator("button.download").click()
    assert Path(download.value.path()).read_bytes() == content

    # Removed from the workspace, the member's page (still open on the other process) is no
    # longer shown as viewing the dossier.
    admin.page.locator(f"#member-list li:has-text('{MEMBER.name}') button.danger").click()
    admin.page.locator(f"#presence:has-text('{MEMBER.name}')").wait_for(state="detached",
                                                                        timeout=TIMEOUT_MS)

    flows.go_home(admin)
    row = admin.page.locator(f"#directory tr:has-text('{MEMBER.name}')")
    row.locator("button.danger").click()
    flows.confirm(admin)
    member.page.locator("[role=alert]:not([hidden]):has-text('revoked')").wait_for(
        timeout=TIMEOUT_MS)
    assert member.page.locator("#my-fingerprint").count() == 0

    for process in cluster.processes:  # each page's WebSocket was held by its own process
        assert '"GET /socket.io/" 101' in process.log_text(whole=True)


def _join_status(cluster, process: int) -> int:
    request = urllib.request.Request(f"{cluster.url}api/join/{'g' * 24}",
                                     headers={PIN_HEADER: str(process)})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_cluster_rate_limit_counts_requests_to_every_process(cluster):
    redis = Redis.from_url(cluster.backends.message_queue)
    for key in redis.scan_iter("paravent:ratelimit:*"):
        redis.delete(key)
    statuses = [_join_status(cluster, attempt % 2) for attempt in range(JOIN_LIMIT + 4)]
    assert statuses == [404] * JOIN_LIMIT + [429] * 4
