"""Bad input gets a clear 400 (or 404 for a URL that names nothing), never a 500: bodies nested
deep, text no database can store, numbers past 64 bits, booleans as numbers, lenient base64,
control and bidi-override characters in names, values of the wrong type, malformed log entries.

Workspace writes carry a valid log entry (tests/api/workspaces/conftest.py) besides the one bad
field, so that the 400 is the bad field's."""

from __future__ import annotations

import json

import pytest

from pycrypto_wasm.service.params import to_b64
from tests.api.workspaces.conftest import creation, new_document_id

DEEP = 100_000
TOO_BIG = 2**63
DOSSIER = {"title": "Dossier"}


def _raw(client, method, path, text):
    return client.open(path, method=method, data=text.encode("utf-8", "surrogatepass"),
                       content_type="application/json")


def _refused(response, status=400, field=""):
    """A clear refusal, naming `field` when given."""
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.json["error"]["code"] in ("bad_request", "not_found")
    assert field in response.json["error"]["message"]


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/api/login"), ("POST", "/api/workspaces"), ("PUT", "/api/recovery"),
    ("POST", "/api/invitations"), ("POST", "/api/passkeys"),
])
def test_bad_input_body_nested_deep_is_400(organization, method, path):
    _refused(_raw(organization.admin.client, method, path, "[" * DEEP + "]" * DEEP))
    _refused(_raw(organization.admin.client, method, path,
                  '{"a":' * DEEP + "1" + "}" * DEEP))


def test_bad_input_lone_surrogate_in_a_name_is_400(organization):
    created = _raw(organization.admin.client, "POST", "/api/invitations",
                   '{"display_name": "Mme \\ud800", "email": "x@chu.example", "site": "Nord",'
                   ' "profile": "member"}')
    _refused(created)
    assert organization.admin.client.get("/api/invitations").json["invitations"] == []


@pytest.mark.parametrize("name", ["Mme\x00Durand", "Mme \u202eDurand", "\u2066Durand"])
def test_bad_input_nul_and_bidi_override_in_names_are_400(organization, name):
    response = organization.admin.client.post("/api/invitations", json={
        "display_name": name, "email": "d@chu.example", "site": "Sud", "profile": "member"})
    _refused(response)


SIGNED_IN_OR_NOT = ["signed in", "anonymous"]


@pytest.mark.parametrize("who", SIGNED_IN_OR_NOT)
@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/api/login", {"credential": {"id": "a\x00b", "response": {}}}),
    ("POST", "/api/login/recovery", {"login_token_digest": "AAAA\x00"}),
    ("POST", "/api/users/u-\x00/revoke", {"revocation": "AAAA"}),
    ("GET", "/api/directory?cursor=\x00", None),
    ("GET", "/api/invitations?\x00=1", None),
])
def test_bad_input_nul_is_400_on_every_engine_signed_in_or_not(organization, who, method, path,
                                                               body):
    """PostgreSQL refuses NUL in text: refused at the input layer, before anything else."""
    client = organization.admin.client if who == "signed in" else organization.person().client
    _refused(client.open(path, method=method, json=body))


@pytest.mark.parametrize("body", [
    {"workspace_id": "w-\x00", "manifest": "eA"},
    {"workspace_id": "w-" + "a" * 24, "key_grant": "eA", "manifest": "eA",
     "log_entry": {"seq": 1, "kind": "workspace_created", "entry": "eA", "\x00": "x"}},
])
def test_bad_input_nul_in_any_string_or_key_of_a_body_is_400(organization, body):
    _refused(organization.admin.client.post("/api/workspaces", json=body))
    assert organization.admin.client.get("/api/workspaces").json["workspaces"] == []


@pytest.mark.parametrize("credential", [None, 7, [], "text"])
def test_bad_input_credential_of_the_wrong_type_is_400(organization, credential):
    options = organization.admin.client.post("/api/passkeys/options").json
    response = organization.admin.client.post("/api/passkeys", json={
        "challenge_id": options["challenge_id"], "credential": credential, "name": "Clé"})
    _refused(response)
    token, _ = organization.invite()
    newcomer = organization.person()
    join = newcomer.client.post(f"/api/join/{token}/options").json
    response = newcomer.client.post(f"/api/join/{token}/register", json={
        "challenge_id": join["challenge_id"], "credential": credential})
    _refused(response)


def test_bad_input_log_kind_list_is_400_even_for_a_non_member(organization, workspace):
    outsider = organization.member()
    for person in (outsider, organization.admin):
        response = person.client.post(f"/api/workspaces/{workspace.workspace_id}/log",
                                      json={"kind": [], "seq": 1, "entry": "AAAA"})
        _refused(response)


@pytest.mark.parametrize("after", ["²", "-1", str(TOO_BIG), "1e3"])
def test_bad_input_log_after_that_is_no_whole_number_is_400(workspace, after):
    response = workspace.owner.person.client.get(
        f"/api/workspaces/{workspace.workspace_id}/log", query_string={"after": after})
    _refused(response)


def test_bad_input_numbers_past_64_bits_are_refused(workspace):
    client = workspace.owner.person.client
    base = f"/api/workspaces/{workspace.workspace_id}"
    _refused(client.put(f"{base}/my-state", json={"version": TOO_BIG, "state": "AQ"}))
    _refused(workspace.put(workspace.owner, new_document_id(), 1, DOSSIER,
                           expected_version=TOO_BIG))
    _refused(client.get(f"{base}/documents/{workspace.workspace_id}/versions/{TOO_BIG}"), 404)
    _refused(client.post(f"{base}/log", json={
        **workspace.entry(workspace.owner, "comment"), "seq": TOO_BIG}))


@pytest.mark.parametrize("field", ["expected_version", "key_index"])
def test_bad_input_booleans_are_not_numbers(organization, workspace, field):
    if field == "expected_version":
        response = workspace.put(workspace.owner, new_document_id(), 1, DOSSIER,
                                 expected_version=True)
    else:
        newcomer = organization.member()
        response = workspace.owner.person.client.post(f"{workspace.url}/members", json={
            "user_id": newcomer.user_id, "role": "reader",
            "grants": [{"user_id": newcomer.user_id, "key_index": True, "grant": "AAAA"}],
            "log_entry": workspace.entry(workspace.owner, "member_set", public={
                "user_id": newcomer.user_id, "role": "reader"})})
    _refused(response, field=field)


@pytest.mark.parametrize("block_ids", [[1, 2], [None], [{"a": 1}], [["x"]]])
def test_bad_input_block_ids_that_are_not_strings_are_400(workspace, block_ids):
    response = workspace.put(workspace.owner, f"f-{'6' * 24}", 1, {"name": "scan.pdf"},
                             kind="file", block_ids=block_ids)
    _refused(response, field="block")


@pytest.mark.parametrize("manifest", ["!!!!", "AAAA====", "AB", "AAA=", "A+/A", "AAAB\n"])
def test_bad_input_base64_that_is_not_canonical_is_400(workspace, manifest):
    document_id = new_document_id()
    response = workspace.put(workspace.owner, document_id, 1, DOSSIER, manifest=manifest)
    _refused(response, field="manifest")
    versions = workspace.owner.person.client.get(
        f"/api/workspaces/{workspace.workspace_id}/documents/{document_id}/versions")
    assert versions.status_code == 404


def test_bad_input_canonical_base64_is_accepted(workspace):
    response = workspace.put(workspace.owner, new_document_id(), 1, DOSSIER,
                             manifest=to_b64(b"\x01\x02"))
    assert response.status_code == 201, response.json


# A valid log entry made malformed, and the field the refusal names.
MALFORMED_ENTRIES = {
    "not an object": (lambda entry: entry["entry"], "'log_entry'"),
    "a list": (lambda entry: [entry], "'log_entry'"),
    "another kind": (lambda entry: {**entry, "kind": "comment"}, "'log_entry'"),
    "seq a boolean": (lambda entry: {**entry, "seq": True}, "'seq'"),
    "seq a string": (lambda entry: {**entry, "seq": "1"}, "'seq'"),
    "seq negative": (lambda entry: {**entry, "seq": -1}, "'seq'"),
    "seq past 64 bits": (lambda entry: {**entry, "seq": TOO_BIG}, "64 bits"),
    "entry padded": (lambda entry: {**entry, "entry": entry["entry"] + "="}, "'entry'"),
    "entry foreign characters": (lambda entry: {**entry, "entry": "!!!!"}, "'entry'"),
    "entry stray bits": (lambda entry: {**entry, "entry": "AB"}, "'entry'"),
    "entry missing": (lambda entry: {"seq": entry["seq"], "kind": entry["kind"]}, "'entry'"),
    "entry a number": (lambda entry: {**entry, "entry": 7}, "'entry'"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_ENTRIES))
def test_bad_input_malformed_log_entry_is_400_and_writes_nothing(organization, workspace, case):
    spoil, field = MALFORMED_ENTRIES[case]
    owner = workspace.owner
    length = len(workspace.log())
    dossier = workspace.put(owner, new_document_id(), 1, DOSSIER,
                            log_entry=spoil(workspace.entry(owner, "document")))
    _refused(dossier, field=field)
    _, body = creation(organization, organization.admin)
    created = owner.person.client.post("/api/workspaces",
                                       json={**body, "log_entry": spoil(body["log_entry"])})
    _refused(created, field=field)
    assert owner.person.client.get(f"/api/workspaces/{body['workspace_id']}").status_code == 404
    if field != "'log_entry'":  # a committee entry is the body itself: its seq and entry
        comment = owner.person.client.post(f"{workspace.url}/log",
                                           json=spoil(workspace.entry(owner, "comment")))
        _refused(comment, field=field)
    assert len(workspace.log()) == length


def test_bad_input_nan_and_huge_literals_are_400(organization):
    for text in ('{"a": NaN}', '{"a": 1e999}', '{"a": ' + "9" * 5000 + "}",
                 json.dumps({"seq": -TOO_BIG - 1})):
        _refused(_raw(organization.admin.client, "PUT", "/api/recovery", text))
