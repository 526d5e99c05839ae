"""Numbered schema migrations, the same for SQLite and PostgreSQL, applied in order, each in a
transaction.

Migrations use raw SQL written in SQLite's words, which `db.ddl` maps for PostgreSQL (see
engine.py). A migration is never edited once released: a
schema change is a new numbered function appended to MIGRATIONS. `schema_migrations` records
which ones ran, so restarting applies nothing twice, and a database made by newer code is
refused rather than misread.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime

from api.storage.engine import Connection
from api.storage.transactions import transaction


class SchemaTooNewError(RuntimeError):
    """The database was migrated by a newer Paravent than this one."""


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _0001_server_meta(db: Connection) -> None:
    db.execute(db.ddl("create table server_meta (key text primary key, value text not null)"))
    db.execute(
        "insert into server_meta (key, value) values ('instance_id', ?), ('created_at', ?)",
        [secrets.token_hex(16), _now()],
    )


def _execute_script(db: Connection, script: str) -> None:
    # sqlite3's executescript commits first, which would break the migration's transaction.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(db.ddl(statement))


def _0002_identity(db: Connection) -> None:
    _execute_script(
        db,
        """
        create table organizations (
            id text primary key,
            name text not null,
            root_verify_key blob not null,
            created_at real not null
        );
        create table bootstrap_tokens (
            token_hash text primary key,
            organization_name text not null,
            created_at real not null,
            expires_at real not null,
            used_at real
        );
        create table users (
            id text primary key,
            organization_id text not null references organizations(id),
            display_name text not null,
            email text not null,
            site text not null,
            profile text not null,
            certificate blob not null,
            revocation blob,
            revoked_at real,
            recovery_token_hash text unique,
            recovery_bundle blob,
            created_at real not null
        );
        create table passkeys (
            credential_id blob primary key,
            user_id text not null references users(id),
            public_key blob not null,
            sign_count integer not null,
            name text not null,
            wrapped_bundle blob,
            created_at real not null,
            last_used_at real
        );
        create index passkeys_by_user on passkeys(user_id);
        create table challenges (
            id text primary key,
            purpose text not null,
            subject text not null,
            challenge blob not null,
            expires_at real not null,
            used integer not null default 0
        );
        create table sessions (
            token_hash text primary key,
            user_id text not null references users(id),
            created_at real not null,
            last_seen_at real not null,
            expires_at real not null
        );
        create index sessions_by_user on sessions(user_id);
        create table invitations (
            id text primary key,
            organization_id text not null references organizations(id),
            token_hash text not null unique,
            invited_by text not null references users(id),
            display_name text not null,
            email text not null,
            site text not null,
            profile text not null,
            status text not null,
            created_at real not null,
            expires_at real not null,
            claimer_user_id text,
            claimer_verify_key blob,
            claimer_public_key blob,
            claimer_credential_id blob,
            claimer_credential_key blob,
            claimer_sign_count integer,
            claimer_wrapped_bundle blob,
            claimer_recovery_token_hash text,
            claimer_recovery_bundle blob
        );
        """
    )


def _0003_workspaces(db: Connection) -> None:
    _execute_script(
        db,
        """
        create table workspaces (
            id text primary key,
            organization_id text not null references organizations(id),
            created_by text not null references users(id),
            key_index integer not null,
            created_at real not null
        );
        create table workspace_members (
            workspace_id text not null references workspaces(id),
            user_id text not null references users(id),
            role text not null,
            role_certificate blob not null,
            added_by text not null,
            added_at real not null,
            removed_at real,
            primary key (workspace_id, user_id)
        );
        create index members_by_user on workspace_members(user_id);
        create table key_grants (
            workspace_id text not null references workspaces(id),
            key_index integer not null,
            user_id text not null references users(id),
            granted_by text not null,
            grant blob not null,
            primary key (workspace_id, key_index, user_id)
        );
        create table documents (
            workspace_id text not null references workspaces(id),
            document_id text not null,
            version integer not null,
            kind text not null,
            author_id text not null,
            manifest blob not null,
            created_at real not null,
            primary key (workspace_id, document_id, version)
        );
        create table blocks (
            workspace_id text not null references workspaces(id),
            block_id text not null,
            organization_id text not null,
            size integer not null,
            created_at real not null,
            primary key (workspace_id, block_id)
        );
        create index blocks_by_organization on blocks(organization_id);
        """,
    )


def _0004_file_references(db: Connection) -> None:
    """Which blocks each file version uses (for collecting unused ones), a clear deletion mark
    on document versions, and a running storage total per organization."""
    _execute_script(
        db,
        """
        create table document_blocks (
            workspace_id text not null,
            document_id text not null,
            version integer not null,
            block_id text not null,
            primary key (workspace_id, document_id, version, block_id),
            foreign key (workspace_id, document_id, version)
                references documents(workspace_id, document_id, version) on delete cascade
        );
        create index document_blocks_by_block on document_blocks(workspace_id, block_id);
        alter table documents add column deleted integer not null default 0;
        create table organization_usage (
            organization_id text primary key,
            bytes integer not null
        );
        insert into organization_usage
            select organization_id, sum(size) from blocks group by organization_id;
        """,
    )


def _0005_workspace_log(db: Connection) -> None:
    """Each workspace's append-only log (entries signed and encrypted by clients; the kind is
    in clear for role checks), and where each member has read each dossier's log up to."""
    _execute_script(
        db,
        """
        create table log_entries (
            workspace_id text not null references workspaces(id),
            seq integer not null,
            kind text not null,
            author_id text not null,
            entry blob not null,
            created_at real not null,
            primary key (workspace_id, seq)
        );
        create table read_markers (
            user_id text not null,
            workspace_id text not null,
            dossier_id text not null,
            seq integer not null,
            primary key (user_id, workspace_id, dossier_id)
        );
        """,
    )


def _0006_workflow_settings(db: Connection) -> None:
    """Each workspace's workflow settings in clear (the roles each kind of log entry needs, the
    decision quorum), a copy of those its signed manifest carries, for the server to enforce."""
    db.execute(db.ddl("alter table workspaces add column workflow text"))


def _0007_own_states(db: Connection) -> None:
    """Each user's own state in each workspace (their read markers, sealed by their browser for
    them alone) as one versioned blob, instead of read markers in clear: the markers kept until
    now are dropped (each user's unread badges count from the start once)."""
    _execute_script(
        db,
        """
        create table own_states (
            user_id text not null references users(id),
            workspace_id text not null references workspaces(id),
            version integer not null,
            state blob not null,
            updated_at real not null,
            primary key (user_id, workspace_id)
        );
        drop table read_markers;
        """,
    )


def _0008_notifications(db: Connection) -> None:
    """Notifications: one row per recipient (which space, which kind, when, read or not, and
    where its mail stands), never any content; each user's mail preferences; and when each user
    was last mailed, so mails are grouped."""
    _execute_script(
        db,
        """
        create table notifications (
            id text primary key,
            user_id text not null references users(id),
            workspace_id text not null references workspaces(id),
            item_id text,
            kind text not null,
            by_user_id text not null references users(id),
            created_at real not null,
            read_at real,
            mail_state text not null,
            mail_claim text,
            claimed_at real,
            mailed_at real
        );
        create index notifications_by_user on notifications(user_id, created_at);
        create index notifications_by_mail_state on notifications(mail_state, user_id);
        create table notification_preferences (
            user_id text primary key references users(id),
            mail text not null,
            language text not null
        );
        create table notification_mailings (
            user_id text primary key references users(id),
            last_mailed_at real not null
        );
        """,
    )


def _0009_invitation_progress(db: Connection) -> None:
    """Where each invitation stands for the admin's list: when the invitee first opened their
    link, and how many code checks failed (a mismatch cancels it only after a few tries)."""
    db.execute(db.ddl("alter table invitations add column opened_at real"))
    db.execute(db.ddl(
        "alter table invitations add column failed_checks integer not null default 0"))


def _0010_partner_sites(db: Connection) -> None:
    """Partner sites: the organizations' partner sites (name, the partner space serving each)
    and the external contacts attached to each site."""
    _execute_script(
        db,
        """
        create table partner_sites (
            id text primary key,
            organization_id text not null references organizations(id),
            name text not null,
            workspace_id text references workspaces(id),
            created_by text not null references users(id),
            created_at real not null,
            removed_at real
        );
        create index partner_sites_by_organization on partner_sites(organization_id);
        create table partner_site_contacts (
            site_id text not null references partner_sites(id),
            user_id text not null references users(id),
            added_at real not null,
            primary key (site_id, user_id)
        );
        create index partner_site_contacts_by_user on partner_site_contacts(user_id);
        """,
    )


def _0011_sharing_policies(db: Connection) -> None:
    """Sharing policies: per organization and per workspace (`scope`), which of download links
    and drop boxes exist, their longest duration in days, and whether a password and a
    watermark are required."""
    _execute_script(
        db,
        """
        create table sharing_policies (
            scope_id text primary key,
            scope text not null,
            organization_id text not null references organizations(id),
            links integer not null,
            dropboxes integer not null,
            max_days integer not null,
            password_required integer not null,
            watermark_required integer not null,
            updated_by text not null references users(id),
            updated_at real not null
        );
        """,
    )


def _0012_session_suspension(db: Connection) -> None:
    """When a session was locked on its workstation (the idle lock, "Switch user"): a locked
    session answers no API call until its user's passkey resumes it (api/identity/suspension.py).
    """
    db.execute(db.ddl("alter table sessions add column suspended_at real"))


def _0013_result_escalation(db: Connection) -> None:
    """Escalation of results nobody opened: each partner space's delay (`since`: when it was
    first set; older results are never escalated) and, per result (a dossier by id), when a
    receipt of it first reached the server and when it was escalated."""
    _execute_script(
        db,
        """
        create table escalation_delays (
            workspace_id text primary key references workspaces(id),
            delay_seconds integer not null,
            since real not null,
            set_by text not null references users(id),
            set_at real not null
        );
        create table result_deliveries (
            workspace_id text not null references workspaces(id),
            dossier_id text not null,
            opened_at real,
            escalated_at real,
            primary key (workspace_id, dossier_id)
        );
        """,
    )


def _0014_share_links(db: Connection) -> None:
    """Download links: what the server keeps of each (its workspace and sharer, expiry, counts,
    the verifier of its access proof, the password header, and sealed parts it cannot open),
    the blocks it lets its recipients read, and its access list."""
    _execute_script(
        db,
        """
        create table share_links (
            id text primary key,
            organization_id text not null references organizations(id),
            workspace_id text not null references workspaces(id),
            created_by text not null references users(id),
            created_at real not null,
            expires_at real not null,
            max_downloads integer not null,
            downloads integer not null,
            password_header blob,
            verifier blob not null,
            key_box blob not null,
            payload blob not null,
            sharer_copy blob not null,
            key_index integer not null,
            revoked_at real,
            revoked_by text references users(id),
            ended_at real,
            ended_reason text
        );
        create index share_links_by_workspace on share_links(workspace_id);
        create index share_links_open_by_expiry on share_links(ended_at, expires_at);
        create table share_link_blocks (
            link_id text not null references share_links(id),
            block_id text not null,
            primary key (link_id, block_id)
        );
        create table share_link_accesses (
            link_id text not null references share_links(id),
            at real not null,
            event text not null
        );
        create index share_link_accesses_by_link on share_link_accesses(link_id);
        """,
    )


def _0015_drop_boxes(db: Connection) -> None:
    """Drop boxes: each drop link (its space, creator, expiry, caps, the verify key of its
    deposits' signatures, and sealed parts the server cannot open), each deposit made through
    one (sealed, signed), the blocks a deposit holds, and e-mail confirmation codes."""
    _execute_script(
        db,
        """
        create table drop_links (
            id text primary key,
            organization_id text not null references organizations(id),
            workspace_id text not null references workspaces(id),
            created_by text not null references users(id),
            created_at real not null,
            expires_at real not null,
            max_files integer not null,
            max_file_bytes integer not null,
            email_required integer not null,
            password integer not null,
            verify_key blob not null,
            link_info blob not null,
            descriptor blob not null,
            descriptor_version integer not null,
            files_received integer not null,
            revoked_at real,
            revoked_by text references users(id)
        );
        create index drop_links_by_workspace on drop_links(workspace_id);
        create table drop_deposits (
            id text primary key,
            link_id text not null references drop_links(id),
            workspace_id text not null references workspaces(id),
            created_at real not null,
            files integer not null,
            bytes integer not null,
            completed_at real,
            sealed blob,
            signature blob,
            block_ids text,
            confirmed_email text,
            filed_at real,
            filed_by text references users(id)
        );
        create index drop_deposits_by_workspace on drop_deposits(workspace_id);
        create table drop_deposit_blocks (
            deposit_id text not null references drop_deposits(id),
            workspace_id text not null,
            block_id text not null,
            primary key (deposit_id, block_id)
        );
        create index drop_deposit_blocks_by_block on drop_deposit_blocks(workspace_id, block_id);
        create table drop_email_codes (
            id text primary key,
            link_id text not null references drop_links(id),
            email text not null,
            code_hash text not null,
            created_at real not null,
            attempts integer not null,
            confirmed_at real
        );
        """,
    )


def _0016_external_files(db: Connection) -> None:
    """Sharing policies say how external contacts get a space's files: downloaded as they are,
    downloaded watermarked, or previewed only (watermarked)."""
    db.execute(db.ddl(
        "alter table sharing_policies add column external_files text not null "
        "default 'download'"))


def _0017_notifications_by_space(db: Connection) -> None:
    """The results notifications of a space, found without reading every notification: the
    delivery board reads them for thousands of results at once."""
    db.execute(db.ddl(
        "create index notifications_by_space on notifications(workspace_id, kind, created_at)"))


MIGRATIONS: list[tuple[int, Callable[[Connection], None]]] = [
    (1, _0001_server_meta),
    (2, _0002_identity),
    (3, _0003_workspaces),
    (4, _0004_file_references),
    (5, _0005_workspace_log),
    (6, _0006_workflow_settings),
    (7, _0007_own_states),
    (8, _0008_notifications),
    (9, _0009_invitation_progress),
    (10, _0010_partner_sites),
    (11, _0011_sharing_policies),
    (12, _0012_session_suspension),
    (13, _0013_result_escalation),
    (14, _0014_share_links),
    (15, _0015_drop_boxes),
    (16, _0016_external_files),
    (17, _0017_notifications_by_space),
]


def schema_version(db: Connection) -> int:
    if "schema_migrations" not in db.table_names():
        return 0
    row = db.execute("select max(number) from schema_migrations").fetchone()
    return row[0] or 0


def apply_migrations(db: Connection) -> list[int]:
    """Apply every migration the database lacks; return the numbers applied."""
    current = schema_version(db)
    latest = MIGRATIONS[-1][0]
    if current > latest:
        raise SchemaTooNewError(
            f"the database is at schema {current}, this server knows up to {latest}: "
            "upgrade Paravent or restore a matching backup"
        )
    applied = []
    for number, migrate in MIGRATIONS:
        if number <= current:
            continue
        with transaction(db):
            db.execute(db.ddl(
                "create table if not exists schema_migrations "
                "(number integer primary key, applied_at text not null)"
            ))
            if schema_version(db) >= number:
                continue
            migrate(db)
            db.execute("insert into schema_migrations values (?, ?)", [number, _now()])
        applied.append(number)
    return applied
