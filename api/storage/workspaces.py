"""Storage for workspaces: membership and roles, key grants, versioned documents (the encrypted
manifests), the log, each member's own sealed state and the index of stored blocks (SQL shared
by both engines, see engine.py). Block bytes live in the block store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.storage.engine import Connection
from api.storage.queries import Row, insert, one
from api.storage.transactions import transaction
from pycrypto_wasm.workspace.log import (
    GENESIS,
    ORDERING_KINDS,
    entry_hash,
    place_entry,
    write_claims,
)

# How long a deposit's blocks are kept while it is not complete (a slow depositor's upload).
DEPOSIT_UPLOAD_SECONDS = 24 * 3600.0


class StaleLogError(Exception):
    """The log entry does not follow the log's last entry (someone wrote meanwhile)."""

    def __init__(self, length: int) -> None:
        super().__init__(f"the log has {length} entries")
        self.length = length


class WorkspaceStore:
    def __init__(self, db: Connection) -> None:
        self.db = db

    def workspace(self, workspace_id: str) -> Row | None:
        return one(self.db, "select * from workspaces where id = ?", [workspace_id])

    def create(self, workspace: Row, owner: Row, grant: Row, manifest: Row,
               entry: Row) -> bool:
        """The workspace, its owner, the owner's first key, its first manifest and the log entry
        that creates it, together."""
        with transaction(self.db, workspace=workspace["id"]):
            if self.workspace(workspace["id"]) is not None:
                return False
            insert(self.db, "workspaces", workspace)
            insert(self.db, "workspace_members", owner)
            insert(self.db, "key_grants", grant)
            insert(self.db, "documents", manifest)
            self._append_log(entry)
        return True

    def membership(self, workspace_id: str, user_id: str) -> Row | None:
        """The user's active membership of the workspace, or None."""
        return one(
            self.db,
            "select * from workspace_members where workspace_id = ? and user_id = ? "
            "and removed_at is null",
            [workspace_id, user_id],
        )

    def members(self, workspace_id: str) -> list[Row]:
        """The active members: neither removed nor revoked by the organization."""
        return list(self.db.query(
            "select m.* from workspace_members m join users u on u.id = m.user_id "
            "where m.workspace_id = ? and m.removed_at is null and u.revoked_at is null "
            "order by m.added_at", [workspace_id]))

    def workspaces_of(self, user_id: str) -> list[Row]:
        return list(self.db.query(
            "select w.*, m.role from workspaces w join workspace_members m "
            "on m.workspace_id = w.id where m.user_id = ? and m.removed_at is null "
            "order by w.created_at", [user_id]))

    def add_member(self, member: Row, grants: list[Row], entry: Row) -> None:
        """Add a member or change their role, with their keys and the log entry recording it;
        raises StaleLogError (nothing stored) if the entry does not follow the log."""
        with transaction(self.db, workspace=member["workspace_id"]):
            self._append_log(entry)
            self.db.execute(
                "delete from workspace_members where workspace_id = ? and user_id = ?",
                [member["workspace_id"], member["user_id"]],
            )
            insert(self.db, "workspace_members", member)
            for grant in grants:
                self._add_grant(grant)

    def remove_member(self, workspace_id: str, user_id: str, new_index: int, grants: list[Row],
                      now: float, entry: Row) -> bool:
        """Remove `user_id` and move to key `new_index`, granted to everyone who remains, with
        the log entry recording it; False if the key moved meanwhile."""
        with transaction(self.db, workspace=workspace_id):
            moved = self.db.execute(
                "update workspaces set key_index = ? where id = ? and key_index = ?",
                [new_index, workspace_id, new_index - 1],
            )
            if moved.rowcount != 1:
                return False
            self._append_log(entry)
            self.db.execute(
                "update workspace_members set removed_at = ? where workspace_id = ? "
                "and user_id = ?", [now, workspace_id, user_id])
            for grant in grants:
                self._add_grant(grant)
        return True

    def grants_of(self, workspace_id: str, user_id: str) -> list[Row]:
        return list(self.db.query(
            "select * from key_grants where workspace_id = ? and user_id = ? order by key_index",
            [workspace_id, user_id]))

    def _add_grant(self, grant: Row) -> None:
        """Store a grant; one already stored for the same member and key is never replaced."""
        self.db.execute(
            "insert into key_grants values (?, ?, ?, ?, ?) on conflict do nothing",
            [grant["workspace_id"], grant["key_index"], grant["user_id"], grant["granted_by"],
             grant["grant"]],
        )

    # documents --------------------------------------------------------------------------------
    def latest_version(self, workspace_id: str, document_id: str) -> int:
        row = self.db.execute(
            "select max(version) from documents where workspace_id = ? and document_id = ?",
            [workspace_id, document_id]).fetchone()
        return row[0] or 0

    def put_document(self, document: Row, expected_version: int, entry: Row,
                     block_ids: list[str] | None = None, workflow: str | None = None) -> int | None:
        """Store version expected+1 (a file version with the blocks it uses, a workspace
        manifest with its workflow settings) and the log entry recording it; the latest version
        if someone stored another version meanwhile; StaleLogError if the entry does not follow
        the log."""
        with transaction(self.db, workspace=document["workspace_id"]):
            latest = self.latest_version(document["workspace_id"], document["document_id"])
            if latest != expected_version:
                return latest
            self._append_log(entry)
            insert(self.db, "documents", document)
            if workflow is not None:
                self.db.execute("update workspaces set workflow = ? where id = ?",
                                [workflow, document["workspace_id"]])
            self.db.executemany(
                "insert into document_blocks values (?, ?, ?, ?) on conflict do nothing",
                [(document["workspace_id"], document["document_id"], document["version"], block)
                 for block in block_ids or []])
        return None

    def missing_blocks(self, workspace_id: str, block_ids: list[str]) -> list[str]:
        """Those of `block_ids` this workspace has not stored."""
        stored = set()
        for start in range(0, len(block_ids), 500):
            chunk = block_ids[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            stored.update(row["block_id"] for row in self.db.query(
                f"select block_id from blocks where workspace_id = ? and block_id in ({marks})",
                [workspace_id, *chunk]))
        return [block for block in block_ids if block not in stored]

    def latest_documents(self, workspace_id: str, kind: str | None) -> list[Row]:
        sql = (
            "select d.* from documents d join (select document_id, max(version) as version "
            "from documents where workspace_id = ? group by document_id) latest "
            "on d.document_id = latest.document_id and d.version = latest.version "
            "where d.workspace_id = ?"
        )
        params: list[Any] = [workspace_id, workspace_id]
        if kind is not None:
            sql += " and d.kind = ?"
            params.append(kind)
        return list(self.db.query(sql + " order by d.created_at", params))

    def latest_of(self, workspace_id: str, document_ids: list[str]) -> list[Row]:
        """The latest version of each of `document_ids` the workspace holds."""
        marks = ", ".join("?" for _ in document_ids)
        return list(self.db.query(
            "select d.* from documents d join (select document_id, max(version) as version "
            f"from documents where workspace_id = ? and document_id in ({marks}) "
            "group by document_id) latest on d.document_id = latest.document_id "
            "and d.version = latest.version where d.workspace_id = ?",
            [workspace_id, *document_ids, workspace_id]))

    def document_versions(self, workspace_id: str, document_id: str) -> list[Row]:
        return list(self.db.query(
            "select * from documents where workspace_id = ? and document_id = ? "
            "order by version", [workspace_id, document_id]))

    def document(self, workspace_id: str, document_id: str, version: int) -> Row | None:
        return one(self.db, "select * from documents where workspace_id = ? and document_id = ? "
                   "and version = ?", [workspace_id, document_id, version])

    # blocks -----------------------------------------------------------------------------------
    def block(self, workspace_id: str, block_id: str) -> Row | None:
        return one(self.db, "select * from blocks where workspace_id = ? and block_id = ?",
                   [workspace_id, block_id])

    def add_blocks(self, blocks: list[Row], quota: int) -> bool:
        """Record stored blocks (of one organization) and count those not yet recorded against
        its `quota`; False (and nothing recorded) if they would not fit."""
        with transaction(self.db):
            missing = {(workspace_id, block_id)
                       for workspace_id in {block["workspace_id"] for block in blocks}
                       for block_id in self.missing_blocks(workspace_id, [
                           block["block_id"] for block in blocks
                           if block["workspace_id"] == workspace_id])}
            new = [block for block in blocks
                   if (block["workspace_id"], block["block_id"]) in missing]
            if not new:
                return True
            organization_id = new[0]["organization_id"]
            size = sum(block["size"] for block in new)
            if self.organization_usage(organization_id) + size > quota:
                return False
            for block in new:
                insert(self.db, "blocks", block)
            self._count_usage(organization_id, size)
        return True

    def unless_recorded(self, workspace_id: str, block_id: str,
                        action: Callable[[], None]) -> bool:
        """Run `action` (removing the block's bytes) if no row records the block, inside a
        write transaction, so that no upload records it meanwhile; whether it ran."""
        with transaction(self.db):
            if self.block(workspace_id, block_id) is not None:
                return False
            action()
        return True

    def _count_usage(self, organization_id: str, change: int) -> None:
        self.db.execute(
            "insert into organization_usage values (?, ?) on conflict (organization_id) "
            "do update set bytes = organization_usage.bytes + excluded.bytes",
            [organization_id, change])

    def organization_usage(self, organization_id: str) -> int:
        row = one(self.db, "select bytes from organization_usage where organization_id = ?",
                  [organization_id])
        return row["bytes"] if row else 0

    # log ----------------------------------------------------------------------------------------
    def append_log(self, entry: Row) -> None:
        """Append `entry`; StaleLogError if it may not follow the log (see _append_log)."""
        with transaction(self.db, workspace=entry["workspace_id"]):
            self._append_log(entry)

    def _append_log(self, entry: Row) -> None:
        """Append `entry` inside the caller's transaction, which holds the workspace's write
        lock, so the checks see every entry written before. A write (format 4, `seq` None) is
        placed after the last entry unless an entry that changes membership, keys or settings
        came after the head it names; an older entry must follow the last one exactly. The
        (workspace_id, seq) key makes a seq taken anyway stale too, never a second entry."""
        workspace_id = entry["workspace_id"]
        # An older format's entry names its own seq: nothing after it to look for.
        head = write_claims(entry["entry"]).head_seq if entry["seq"] is None else entry["seq"]
        last = self._last_entry(workspace_id, head)
        length = last["seq"] if last else 0
        if entry["seq"] is None:
            if head > length or (last and last["reordered"]):
                raise StaleLogError(length)
            entry["entry"] = place_entry(entry["entry"], seq=length + 1,
                                         prev=entry_hash(last["entry"]) if last else GENESIS)
            entry["seq"] = length + 1
        elif length + 1 != entry["seq"]:
            raise StaleLogError(length)
        try:
            insert(self.db, "log_entries", entry)
        except self.db.duplicate_key as error:
            raise StaleLogError(entry["seq"]) from error

    def _last_entry(self, workspace_id: str, head: int) -> Row | None:
        """The log's last entry (seq, entry) and whether an entry after `head` changes who may
        write or under which key (`reordered`), in one query: a write holds the workspace's
        lock meanwhile, so each round trip saved is time every other writer waits less."""
        marks = ", ".join("?" for _ in ORDERING_KINDS)
        return one(self.db, f"select seq, entry, exists (select 1 from log_entries where "
                   f"workspace_id = ? and seq > ? and kind in ({marks})) as reordered "
                   f"from log_entries where workspace_id = ? order by seq desc limit 1",
                   [workspace_id, head, *ORDERING_KINDS, workspace_id])

    def log(self, workspace_id: str, after: int = 0, limit: int | None = None) -> list[Row]:
        """The log's entries after entry `after`, in order (the first `limit` of them)."""
        return list(self.db.query(
            "select * from log_entries where workspace_id = ? and seq > ? order by seq"
            + (" limit ?" if limit is not None else ""),
            [workspace_id, after] + ([limit] if limit is not None else [])))

    # own states -------------------------------------------------------------------------------
    def own_state(self, user_id: str, workspace_id: str) -> Row | None:
        """The user's own state in the workspace (version, sealed state, when written), if any."""
        return one(self.db, "select version, state, updated_at from own_states where "
                   "user_id = ? and workspace_id = ?", [user_id, workspace_id])

    def put_own_state(self, state: Row) -> int | None:
        """Store version N of a user's own state on top of version N - 1 (0: none yet); None
        when stored, else the version held (someone stored another version meanwhile)."""
        with transaction(self.db):
            held = self.own_state(state["user_id"], state["workspace_id"])
            version = held["version"] if held else 0
            if state["version"] != version + 1:
                return version
            if held is None:
                insert(self.db, "own_states", state)
            else:
                self.db.execute(
                    "update own_states set version = ?, state = ?, updated_at = ? where "
                    "user_id = ? and workspace_id = ? and version = ?",
                    [state["version"], state["state"], state["updated_at"], state["user_id"],
                     state["workspace_id"], version])
        return None

    # collection -------------------------------------------------------------------------------
    def purge_deleted_files(self, deleted_before: float) -> int:
        """Forget every version of files deleted (latest version marked) before the date;
        return how many files."""
        with transaction(self.db):
            doomed = list(self.db.query(
                "select d.workspace_id, d.document_id from documents d join (select "
                "workspace_id, document_id, max(version) as version from documents "
                "where kind = 'file' group by workspace_id, document_id) latest "
                "using (workspace_id, document_id, version) "
                "where d.deleted = 1 and d.created_at < ?", [deleted_before]))
            for file in doomed:
                self.db.execute("delete from documents where workspace_id = ? and "
                                "document_id = ?", [file["workspace_id"], file["document_id"]])
        return len(doomed)

    def unreferenced_blocks(self, created_before: float) -> list[Row]:
        """Blocks no document version uses, stored before the date (uploads still in progress
        are younger), nor a drop-box deposit (received, or begun less than a day earlier)."""
        return list(self.db.query(
            "select * from blocks b where created_at < ? and not exists (select 1 from "
            "document_blocks r where r.workspace_id = b.workspace_id "
            "and r.block_id = b.block_id) and not exists (select 1 from drop_deposit_blocks p "
            "join drop_deposits d on d.id = p.deposit_id where p.workspace_id = b.workspace_id "
            "and p.block_id = b.block_id and (d.completed_at is not null or d.created_at > ?))",
            [created_before, created_before - DEPOSIT_UPLOAD_SECONDS]))

    def forget_block(self, block: Row) -> None:
        with transaction(self.db):
            removed = self.db.execute(
                "delete from blocks where workspace_id = ? and block_id = ?",
                [block["workspace_id"], block["block_id"]])
            if removed.rowcount:
                self._count_usage(block["organization_id"], -block["size"])
