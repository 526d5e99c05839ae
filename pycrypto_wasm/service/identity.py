"""RPC methods for the user's identity: creating an organization, unlocking with a passkey's PRF
output or the recovery code, new passkeys and recovery codes, the verified directory, revocation.

Values that travel to or from the server are base64url text; PRF outputs arrive as buffers
straight from WebAuthn. The recovery code is returned once, to be shown to the user, and never
kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pycrypto_wasm.hashing import fingerprint
from pycrypto_wasm.identity import keybundle
from pycrypto_wasm.identity.certificates import (
    PROFILES,
    ROOT_SIGNER,
    RevocationCertificate,
    UserCertificate,
)
from pycrypto_wasm.identity.keybundle import PASSKEY_INFO, RECOVERY_INFO, KeyBundle
from pycrypto_wasm.identity.recovery import RecoveryCode, login_token_digest
from pycrypto_wasm.identity.trust import Directory, DirectoryEntry
from pycrypto_wasm.service import params
from pycrypto_wasm.service.params import Params, Reply, RequestError
from pycrypto_wasm.service.state import WorkerState
from pycrypto_wasm.signing import SigningKey


def identity_summary(bundle: KeyBundle) -> Reply:
    return {
        "organization_id": bundle.organization,
        "user_id": bundle.user_id,
        "fingerprint": bundle.signing_key.verify_key.fingerprint(),
        "root_verify_key": params.to_b64(bundle.root_verify_key),
        "root_fingerprint": bundle.root.fingerprint(),
    }


def recovery_material(bundle: KeyBundle) -> Reply:
    """A fresh recovery code (to show once), and what the server keeps of it."""
    code = RecoveryCode.generate()
    return {
        "recovery_code": code.text(),
        "recovery_token_digest": params.to_b64(
            bytes.fromhex(login_token_digest(code.login_token()))
        ),
        "recovery_bundle": params.to_b64(
            keybundle.wrap(bundle, code.wrapping_secret(), RECOVERY_INFO)
        ),
    }


def new_certificate(
    request: Params, *, organization: str, user_id: str, verify_key: bytes, public_key: bytes,
    signed_by: str, profile: str,
) -> UserCertificate:
    """A certificate for these keys, with the name, e-mail and site the request gives."""
    if profile not in PROFILES:
        raise RequestError(f"profile must be one of {PROFILES}")
    return UserCertificate(
        organization=organization, user_id=user_id,
        display_name=params.text(request, "display_name"), email=params.text(request, "email"),
        site=params.text(request, "site"), profile=profile,
        verify_key=verify_key, public_key=public_key, signed_by=signed_by,
        issued_at=int(time.time()),
    )


def create_organization(state: WorkerState, request: Params) -> Reply:
    """The first admin's keys and the organization's root key, which signs the admin's
    certificate and is then forgotten."""
    organization = params.text(request, "organization_id")
    user_id = params.text(request, "user_id")
    root = SigningKey.generate()
    bundle = KeyBundle.generate(organization, user_id, root.verify_key.key)
    certificate = new_certificate(
        request, organization=organization, user_id=user_id,
        verify_key=bundle.signing_key.verify_key.key,
        public_key=bundle.encryption_key.public_key.key, signed_by=ROOT_SIGNER, profile="admin",
    )
    state.unlock(bundle)
    return {
        **identity_summary(bundle),
        **recovery_material(bundle),
        "root_verify_key": params.to_b64(root.verify_key.key),
        "certificate": params.to_b64(certificate.sign(root)),
        "wrapped_bundle": wrap_if_prf(bundle, request),
    }


def wrap_if_prf(bundle: KeyBundle, request: Params) -> str | None:
    """The bundle wrapped by the new passkey's PRF output; None for a passkey without PRF,
    which then unlocks with the recovery code only."""
    prf_output = params.optional_buffer(request, "prf_output")
    if prf_output is None:
        return None
    return params.to_b64(keybundle.wrap(bundle, prf_output, PASSKEY_INFO))


def _unlock(state: WorkerState, request: Params, secret: bytes, info: bytes) -> Reply:
    bundle = keybundle.unwrap(
        params.b64(request, "wrapped_bundle"), secret, info,
        params.text(request, "organization_id"), params.text(request, "user_id"),
    )
    state.unlock(bundle)
    return identity_summary(bundle)


def unlock_with_passkey(state: WorkerState, request: Params) -> Reply:
    return _unlock(state, request, params.buffer(request, "prf_output"), PASSKEY_INFO)


def unlock_with_recovery(state: WorkerState, request: Params) -> Reply:
    code = RecoveryCode.parse(params.text(request, "recovery_code"))
    return _unlock(state, request, code.wrapping_secret(), RECOVERY_INFO)


def recovery_login_token(_state: WorkerState, request: Params) -> Reply:
    code = RecoveryCode.parse(params.text(request, "recovery_code"))
    return {"login_token_digest": params.to_b64(bytes.fromhex(
        login_token_digest(code.login_token())))}


def wrap_for_passkey(state: WorkerState, request: Params) -> Reply:
    bundle = state.identity()
    wrapped = keybundle.wrap(bundle, params.buffer(request, "prf_output"), PASSKEY_INFO)
    return {"wrapped_bundle": params.to_b64(wrapped)}


def new_recovery_code(state: WorkerState, _request: Params) -> Reply:
    return recovery_material(state.identity())


def status(state: WorkerState, _request: Params) -> Reply:
    return {"unlocked": state.bundle is not None,
            **(identity_summary(state.bundle) if state.bundle else {})}


def lock(state: WorkerState, _request: Params) -> Reply:
    state.lock()
    return {"unlocked": False}


def _entry_view(entry: DirectoryEntry, claims: dict[str, Any]) -> Reply:
    certificate = entry.certificate
    view: Reply = {
        "user_id": entry.user_id,
        "valid": entry.valid,
        "active": entry.active,
        "problem": entry.problem,
        "revoked": entry.revocation is not None,
        "server_claims": claims,
    }
    if certificate is not None:
        view.update(
            display_name=certificate.display_name, email=certificate.email,
            site=certificate.site, profile=certificate.profile,
            fingerprint=fingerprint(certificate.verify_key),
            public_key=params.to_b64(certificate.public_key),
        )
    return view


Listing = tuple[dict[str, bytes], dict[str, bytes], dict[str, dict[str, Any]]]


def _parsed(users: Any) -> Listing:
    """The certificates, revocations and claims of the server's listing `users`."""
    if not isinstance(users, list):
        raise RequestError("parameter 'users' must be a list")
    certificates, revocations, claims = {}, {}, {}
    for user in users:
        user = dict(user)
        user_id = params.text(user, "user_id")
        certificates[user_id] = params.b64(user, "certificate")
        if user.get("revocation"):
            revocations[user_id] = params.b64(user, "revocation")
        claims[user_id] = {key: user.get(key) for key in ("display_name", "email", "site",
                                                           "profile")}
    return certificates, revocations, claims


def _believed_revocations(state: WorkerState, request: Params,
                          listed: dict[str, bytes]) -> dict[str, bytes]:
    """The listed revocations, and those this browser verified before (`remembered_revocations`)
    or this worker found in any history it verified: a server that stops listing one is not
    believed."""
    revocations = dict(listed)
    for user_id, signed in dict(request.get("remembered_revocations") or {}).items():
        revocations.setdefault(str(user_id), params.from_b64(signed, "a remembered revocation"))
    for user_id, signed in state.learned_revocations.items():
        revocations.setdefault(user_id, signed)
    return revocations


def _load_directory(state: WorkerState, request: Params) -> dict[str, dict[str, Any]]:
    """Takes the server's listing (`users`) as the directory this worker checks as it reads it,
    against the root key from the user's own bundle, never the server's copy, with the
    revocations it believes (`_believed_revocations`). A signature this worker checked before is
    not checked again. Returns what the server claims of each user."""
    bundle = state.identity()
    certificates, listed, claims = _parsed(request.get("users"))
    revocations = _believed_revocations(state, request, listed)
    state.directory = Directory(bundle.root, bundle.organization, certificates, revocations,
                                state.certificate_checks)
    state.directory_claims = claims
    state.signed_certificates = certificates
    state.signed_revocations = {entry.user_id: revocations[entry.user_id]
                                for entry in state.directory.revoked()}
    return claims


def _add_to_directory(state: WorkerState, request: Params) -> dict[str, dict[str, Any]]:
    """Takes part of the server's listing (`users`, and `signers`: what verifying them takes)
    into the directory this worker checks as it reads it, as `_load_directory` takes the whole:
    a user listed with another certificate than before is judged by the new one (as a fresh
    sign-in would), and no revocation it believed is dropped. Returns what the server claims of
    the users of `users`."""
    certificates, listed, claims = _parsed(request.get("users"))
    signers, signers_revoked, signers_claims = _parsed(request.get("signers") or [])
    revocations = _believed_revocations(state, request, {**signers_revoked, **listed})
    bundle = state.identity()
    if not (isinstance(state.directory, Directory)
            and state.directory.is_of(bundle.root, bundle.organization)):
        state.directory = Directory(bundle.root, bundle.organization, {}, {},
                                    state.certificate_checks)
        state.directory_claims, state.signed_certificates = {}, {}
    state.directory.add({**signers, **certificates}, revocations)
    state.signed_certificates.update({**signers, **certificates})
    state.directory_claims.update({**signers_claims, **claims})
    for entry in state.directory.revoked():
        signed = state.directory.signed_revocation(entry.user_id)
        if signed is not None:
            state.signed_revocations.setdefault(entry.user_id, signed)
    return claims


def _checked(state: WorkerState) -> Reply:
    """The verified revocations, for the page to remember, and how many signatures this worker
    checked since it started."""
    return {"revocations": {user_id: params.to_b64(signed)
                            for user_id, signed in state.signed_revocations.items()},
            "certificate_checks": state.certificate_checks.count}


def _views(state: WorkerState, user_ids: Any) -> list[Reply]:
    return [_entry_view(state.directory[user_id], state.directory_claims[user_id])
            for user_id in user_ids]


def verify_users(state: WorkerState, request: Params) -> Reply:
    """The whole directory as this user may believe it (every certificate checked)."""
    return {"users": _views(state, _load_directory(state, request)), **_checked(state)}


def page_users(state: WorkerState, request: Params) -> Reply:
    """One page of the member list as the server paged and searched it (`users`, with the
    `signers` verifying them takes, and `total`, how many match: the server's word), each user
    verified as `directory.verify` shows them, in the server's order; the rest of the directory
    is not checked."""
    return {"users": _views(state, _add_to_directory(state, request)),
            "total": params.whole_number(request, "total"), **_checked(state)}


def name_users(state: WorkerState, request: Params) -> Reply:
    """The verified names of the users the server listed by id (`users`, with `signers`), for
    the bell: {user id: name} for each one whose certificate verifies."""
    named = _add_to_directory(state, request)
    entries = {user_id: state.directory[user_id] for user_id in named}
    return {"names": {user_id: entry.certificate.display_name
                      for user_id, entry in entries.items() if entry.certificate is not None},
            **_checked(state)}


def add_users(state: WorkerState, request: Params) -> Reply:
    """Takes the users the server listed by id (`users`, with `signers`: what verifying them
    takes, and every listed revocation) into the directory this worker checks as it reads it:
    those a history names, asked for before it is verified (`directory.wanted`)."""
    return {"count": len(_add_to_directory(state, request)), **_checked(state)}


def sign_revocation(state: WorkerState, request: Params) -> Reply:
    bundle = state.identity()
    revocation = RevocationCertificate(
        organization=bundle.organization, user_id=params.text(request, "user_id"),
        revoked_by=bundle.user_id, revoked_at=int(time.time()),
    )
    return {"revocation": params.to_b64(revocation.sign(bundle.signing_key))}


METHODS: dict[str, Callable[[WorkerState, Params], Reply]] = {
    "identity.create_organization": create_organization,
    "identity.unlock_with_passkey": unlock_with_passkey,
    "identity.unlock_with_recovery": unlock_with_recovery,
    "identity.recovery_login_token": recovery_login_token,
    "identity.wrap_for_passkey": wrap_for_passkey,
    "identity.new_recovery_code": new_recovery_code,
    "identity.status": status,
    "identity.lock": lock,
    "directory.verify": verify_users,
    "directory.page": page_users,
    "directory.names": name_users,
    "directory.add": add_users,
    "directory.sign_revocation": sign_revocation,
}
