"""Two server processes behind nginx, on one PostgreSQL database and one S3 bucket, meeting
through Redis: members whose pages are held by different processes see each other's live
changes and presence, run the short-code invitation, download a file uploaded through the other
process, a member removed through one process drops out of the presence the other relays, and a
revocation made through one process ends the page held by the other; rate limits count every
process's requests together.

Operations: the deployment's configuration file names it for the admin commands (a backup taken
while it serves restores into SQLite and reads back in the browser); an app process killed with
SIGKILL is started again by the supervisor while nginx keeps serving through the other; each
backend stopped or killed turns health "degraded", and started again, the cluster serves."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect
from redis import Redis

from e2e.harness import flows
from e2e.harness.browser import wait_for_crypto_ready
from e2e.harness.cluster import Backends, Cluster
from e2e.harness.flows import ADMIN, MEMBER
from e2e.harness.server import REPO_ROOT, ServerProcess
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
def cluster(tmp_path_factory, postgres_service, seaweedfs_server, redis_service):
    """The cluster on the run's PostgreSQL, SeaweedFS and Redis (shared with the API tests):
    a database and a bucket prefix of its own, and a Redis database the API tests' flushes
    leave alone."""
    name = f"cluster_{uuid.uuid4().hex}"
    postgres_server = postgres_service.url
    backends = Backends(create_database(postgres_server, name), f"s3://paravent-cluster/{name}",
                        seaweedfs_server.endpoint, redis_service.database_url(1),
                        {"postgresql": postgres_service, "seaweedfs": seaweedfs_server,
                         "redis": redis_service})
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
    flows.workspace_tab(admin, "members")
    admin.page.locator(f"#member-list li:has-text('{MEMBER.name}') button.danger").click()
    flows.confirm(admin)
    admin.page.locator(f"#presence:has-text('{MEMBER.name}')").wait_for(state="detached",
                                                                        timeout=TIMEOUT_MS)

    flows.go_to(admin, "people")
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


def _forget_rate_limits(cluster) -> None:
    redis = Redis.from_url(cluster.backends.message_queue)
    for key in redis.scan_iter("paravent:ratelimit:*"):
        redis.delete(key)


def _each_process_serves(cluster) -> bool:
    """Both processes answer a request that reads the database (through Redis's limits)."""
    _forget_rate_limits(cluster)
    return [_join_status(cluster, process) for process in (0, 1)] == [404, 404]


def test_cluster_rate_limit_counts_requests_to_every_process(cluster):
    _forget_rate_limits(cluster)
    statuses = [_join_status(cluster, attempt % 2) for attempt in range(JOIN_LIMIT + 4)]
    assert statuses == [404] * JOIN_LIMIT + [429] * 4


def _app_py(*arguments: str) -> str:
    """`python app.py …` as the operator runs it; its output (it must succeed)."""
    done = subprocess.run([sys.executable, "app.py", *arguments], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


BACKUP_WORKSPACE = "Commission sauvegardée"
BACKUP_FILE = "irm-sauvegarde.bin"


def test_cluster_backup_restores_into_sqlite_and_reads_back_in_the_browser(
        cluster, new_user, tmp_path):
    settings = str(cluster.config_file)
    link = _app_py("--config", settings, "bootstrap-link", "--org", "CHU Sauvegarde").strip()
    assert link.startswith(cluster.url)
    admin = new_user()
    flows.bootstrap(admin, link, ADMIN)
    flows.create_workspace(admin, BACKUP_WORKSPACE)
    flows.new_dossier(admin, PATIENT)
    flows.open_dossier(admin, PATIENT)
    content = os.urandom(FILE_BYTES)  # format-2 blocks, sealed by Chromium's WebCrypto
    admin.page.set_input_files("#file-input", files=[
        {"name": BACKUP_FILE, "mimeType": "application/octet-stream", "buffer": content}])
    admin.page.locator(f"#file-list li[data-name='{BACKUP_FILE}']").wait_for(timeout=TIMEOUT_MS)

    _app_py("--config", settings, "backup", str(tmp_path / "backup"))  # while it serves
    assert "is good" in _app_py("verify", str(tmp_path / "backup"))
    _app_py("--data", str(tmp_path / "restored" / "data"), "restore", str(tmp_path / "backup"))
    restored = ServerProcess(tmp_path / "restored" / "data").start()
    try:
        admin.page.goto(restored.url)
        flows.sign_in(admin)
        flows.open_workspace(admin, BACKUP_WORKSPACE)
        admin.page.locator(f"#dossier-table tr:has-text('{PATIENT}') button").click()
        restored_file = admin.page.locator(f"#file-list li[data-name='{BACKUP_FILE}']")
        with admin.page.expect_download(timeout=TIMEOUT_MS) as download:
            restored_file.locator("button.download").click()
        assert Path(download.value.path()).read_bytes() == content
    finally:
        restored.stop()


def _statuses_through_nginx(cluster, stop: threading.Event, statuses: list[int]) -> None:
    while not stop.is_set():
        statuses.append(cluster.health()[0])


def test_cluster_starts_again_an_app_process_killed_mid_way(cluster):
    stop, statuses = threading.Event(), []
    load = threading.Thread(target=_statuses_through_nginx, args=(cluster, stop, statuses))
    load.start()
    try:
        killed = cluster.kill_process(0)
        cluster.wait_until_serving(0)
    finally:
        stop.set()
        load.join()

    assert cluster.processes[0].process.pid != killed
    assert cluster.supervisor.restarts(0) == 1
    assert statuses and set(statuses) == {200}  # nginx sent every request to a live process
    assert _each_process_serves(cluster)


# Which health entry says that a backend is away, and how each one is interrupted: a clean stop,
# or a kill as a crash would (PostgreSQL then starts again over its stale postmaster.pid).
OUTAGES = [("postgresql", "stop", "database"), ("postgresql", "kill", "database"),
           ("redis", "stop", "message_queue"), ("seaweedfs", "kill", "blocks")]


@pytest.mark.parametrize(("service", "how", "entry"), OUTAGES)
def test_cluster_serves_again_after_a_backend_is_stopped_and_started(
        cluster, service, how, entry):
    cluster.wait_for_health("ok")
    try:
        getattr(cluster.service(service), how)()
        degraded = cluster.wait_for_health("degraded")
        assert degraded[entry] != "ok"
    finally:
        cluster.service(service).start()
    assert cluster.wait_for_health("ok")[entry] == "ok"
    assert _each_process_serves(cluster)


def _upload(user, name: str, content: bytes) -> None:
    user.page.set_input_files("#file-input", files=[
        {"name": name, "mimeType": "application/octet-stream", "buffer": content}])


def _downloaded(user, name: str) -> bytes:
    with user.page.expect_download(timeout=TIMEOUT_MS) as download:
        user.page.click(f"#file-list li[data-name='{name}'] button.download")
    return Path(download.value.path()).read_bytes()


def _post_comment(user, comment: str) -> None:
    user.page.fill("#comment-text", comment)
    user.page.click("#comment-post")


def test_cluster_a_page_rides_out_each_outage_without_a_reload(cluster, new_user):
    """A member's page through nginx while the block store, the database and the message queue
    each go away and come back, and while the app process holding an upload is killed: the page
    says what it waits for, keeps what was typed and picked, finishes by itself, and after a
    reload everything acknowledged is there."""
    admin = new_user()
    flows.bootstrap(admin, cluster.bootstrap_link("CHU Pannes"), ADMIN)
    flows.create_workspace(admin, "Commission pannes")
    flows.new_dossier(admin, "Mme Alice Panne")
    admin.page.locator("#dossier-table tr:has-text('Mme Alice Panne') button").click()
    admin.page.wait_for_selector("#file-input", timeout=TIMEOUT_MS)

    # The block store away: the upload waits and says so, then completes by itself.
    scan = os.urandom(FILE_BYTES)
    cluster.service("seaweedfs").kill()
    try:
        _upload(admin, "scan-panne.bin", scan)
        admin.page.locator("#transfers li.upload[data-waiting='storage_unavailable']").wait_for(
            timeout=TIMEOUT_MS)
        assert cluster.wait_for_health("degraded")["blocks"] != "ok"
    finally:
        cluster.service("seaweedfs").start()
    admin.page.locator("#file-list li[data-name='scan-panne.bin']").wait_for(timeout=120_000)

    # The database away: the comment waits with its text kept, then is posted by itself.
    during_database = "Avis posté pendant la coupure de la base"
    cluster.service("postgresql").stop()
    try:
        _post_comment(admin, during_database)
        admin.page.locator("#committee p.error[data-waiting]").wait_for(timeout=TIMEOUT_MS)
        assert admin.page.input_value("#comment-text") == during_database
        admin.page.wait_for_timeout(2000)  # a few retries meet the outage
    finally:
        cluster.service("postgresql").start()
    admin.page.locator(f"#comment-list li:has-text('{during_database}')").wait_for(
        timeout=60_000)

    # The message queue away: writes go on (rate limits counted per process meanwhile). The
    # write is acknowledged (its box emptied, no error); the live event that lists it reaches
    # only the sockets of the process that took it, so the list is checked after the reload.
    during_queue = "Avis posté pendant la coupure de Redis"
    cluster.service("redis").stop()
    try:
        _post_comment(admin, during_queue)
        expect(admin.page.locator("#comment-text")).to_have_value("", timeout=TIMEOUT_MS)
        assert not admin.page.locator("#committee p.error[role='alert']:visible").count()
    finally:
        cluster.service("redis").start()
    cluster.wait_for_health("ok")

    # The app process serving an upload killed: the upload goes on through the other.
    large = os.urandom(40 * 1024 * 1024)
    _upload(admin, "irm-panne.bin", large)
    admin.page.wait_for_function(
        "() => document.querySelector('#transfers li.upload progress')?.value > 0",
        timeout=TIMEOUT_MS)
    cluster.kill_process(0)
    admin.page.locator("#file-list li[data-name='irm-panne.bin']").wait_for(timeout=120_000)
    cluster.wait_until_serving(0)
    assert not admin.page.locator("p.error[role='alert']:visible").count()

    admin.page.goto(cluster.url)
    wait_for_crypto_ready(admin.page)
    flows.sign_in(admin)
    flows.open_workspace(admin, "Commission pannes")
    admin.page.locator("#dossier-table tr:has-text('Mme Alice Panne') button").click()
    for comment in (during_database, during_queue):
        admin.page.locator(f"#comment-list li:has-text('{comment}')").wait_for(
            timeout=TIMEOUT_MS)
    assert _downloaded(admin, "scan-panne.bin") == scan
    assert _downloaded(admin, "irm-panne.bin") == large
