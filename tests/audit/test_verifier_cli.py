"""`python -m pycrypto_wasm.audit verify FILE` under CPython: a good export verifies against the
root key; a dropped, reordered or altered entry is reported where the chain breaks, an entry
whose author lacked the role for it is reported as forged, and so is a revoked author's entry
after the place an entry anchors the revocation; one nothing places before it is flagged."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from pycrypto_wasm import hashing
from pycrypto_wasm.audit.export import export_document
from pycrypto_wasm.identity.certificates import RevocationCertificate
from tests.audit.organization import ORGANIZATION, WORKSPACE, committee
from tests.crypto.tampering import flip_byte


def _export(tmp_path, team, entries=None, revocations=None):
    document = export_document(
        organization=ORGANIZATION, workspace=WORKSPACE, root_verify_key=team.root.verify_key,
        certificates=team.certificates, revocations=revocations or {},
        entries=team.log if entries is None else entries)
    path = tmp_path / "log.json"
    path.write_text(json.dumps(document))
    return path


def _verify(path, *extra):
    return subprocess.run([sys.executable, "-m", "pycrypto_wasm.audit", "verify", str(path),
                           *extra], capture_output=True, text=True, check=False)


def test_verifier_accepts_an_intact_export(tmp_path):
    team = committee()
    result = _verify(_export(tmp_path, team), "--root-key", team.root.verify_key.fingerprint())
    assert result.returncode == 0, result.stderr
    assert "CHAIN VERIFIED: 5 entries" in result.stdout
    assert "Dr Claire Nord" in result.stdout


@pytest.mark.parametrize(("tamper", "where"), [
    (lambda log: [*log[:3], log[4]], "entry 4 of 4"),
    (lambda log: [log[1], log[0], *log[2:]], "entry 1 of 5"),
    (lambda log: [*log[:4], flip_byte(log[4], -1)], "entry 5 of 5"),
])
def test_verifier_names_where_the_chain_breaks(tmp_path, tamper, where):
    team = committee()
    result = _verify(_export(tmp_path, team, tamper(team.log)))
    assert result.returncode == 1
    assert f"CHAIN BROKEN at {where}" in result.stdout


def test_verifier_reports_an_entry_whose_author_lacked_the_role(tmp_path):
    team = committee()
    team.append("u-sud", "decision", {
        "dossier_id": "d-1", "outcome": "refused", "reasons": "Pas de lit", "conditions": "",
        "participants": ["u-sud"]})
    result = _verify(_export(tmp_path, team))
    assert result.returncode == 1
    assert ("FORGED: entry 6 (decision) by u-sud is forged: a contributor may not record this "
            "(decision); it needs manager; it is not applied") in result.stdout
    assert "CHAIN VERIFIED" not in result.stdout and "CHAIN BROKEN" not in result.stdout


def test_verifier_fails_on_another_root_and_cannot_check_unreadable_files(tmp_path):
    """Another root key is a failed verification (1, as the README says); a file that is no
    exported log, or a misused command, cannot be checked at all (2)."""
    team = committee()
    other = committee()
    pinned = _verify(_export(tmp_path, team), "--root-key", other.root.verify_key.fingerprint())
    assert pinned.returncode == 1
    assert "NOT VERIFIED" in pinned.stdout and "not the one expected" in pinned.stdout
    assert "CHAIN VERIFIED" not in pinned.stdout
    junk = tmp_path / "junk.json"
    junk.write_text("{}")
    assert _verify(junk).returncode == 2
    not_json = tmp_path / "notes.txt"
    not_json.write_text("not json")
    assert _verify(not_json).returncode == 2
    assert _verify(tmp_path / "missing.json").returncode == 2
    misused = subprocess.run([sys.executable, "-m", "pycrypto_wasm.audit"], capture_output=True,
                             text=True, check=False)
    assert misused.returncode == 2


def _revoked_contributor(team) -> bytes:
    """u-sud revoked by an admin, dated a minute from now: their entries dated now come
    before it by their own date."""
    team.certify("u-admin", "M. Paul Admin", "CHU Nord", profile="admin")
    return RevocationCertificate(organization=ORGANIZATION, user_id="u-sud",
                                 revoked_by="u-admin",
                                 revoked_at=int(time.time()) + 60).sign(team.keys["u-admin"])


def test_verifier_refuses_a_revoked_author_after_the_anchored_revocation(tmp_path):
    team = committee()
    revocation = _revoked_contributor(team)
    team.append("u-nord", "comment", {"dossier_id": "d-1", "text": "Révocation notée"},
                anchors={"revocations": [{"revocation": revocation, "known_at": 5}]})
    team.append("u-sud", "comment", {"dossier_id": "d-1", "text": "Antidaté"})
    result = _verify(_export(tmp_path, team))
    assert result.returncode == 1
    assert "FORGED: entry 7 (comment) by u-sud is forged: u-sud was revoked before writing it" \
        in result.stdout
    assert "ORDER NOT CONFIRMED" not in result.stdout


def test_verifier_flags_a_revoked_authors_entry_whose_order_nothing_confirms(tmp_path):
    team = committee()
    revocation = _revoked_contributor(team)
    team.append("u-sud", "comment", {"dossier_id": "d-1", "text": "Dernier avis"})
    result = _verify(_export(tmp_path, team, revocations={"u-sud": revocation}))
    assert result.returncode == 0, result.stdout
    assert ("ORDER NOT CONFIRMED: entry 6 (comment) was written by Mme Inès Sud, revoked on "
            in result.stdout)
    assert "entry 4 (comment)" not in result.stdout


def test_verifier_accepts_a_partner_spaces_receipts(tmp_path):
    """A results space's history as the browsers write it today: a partner's signed receipts
    (opened, then acknowledged) of the dossier version the history names."""
    team = committee()
    receipt = {"dossier_id": "d-1", "version": 1, "hash": hashing.blake2b(b"a result")}
    team.append("u-sud", "result_opened", {"dossier_id": "d-1"}, public=receipt)
    team.append("u-sud", "result_acknowledged", {"dossier_id": "d-1"}, public=receipt)
    result = _verify(_export(tmp_path, team), "--root-key", team.root.verify_key.fingerprint())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "CHAIN VERIFIED: 7 entries" in result.stdout
