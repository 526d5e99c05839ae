"""The server's own checks of the certificates it is asked to store.

Clients verify everything themselves; these checks only stop a confused or malicious client from
filing a certificate that does not say what the request claims.
"""

from __future__ import annotations

from api.http.errors import ApiError
from pycrypto_wasm.exceptions import CryptoError
from pycrypto_wasm.identity.certificates import (
    RevocationCertificate,
    UserCertificate,
    revocation_context,
)
from pycrypto_wasm.signing import VerifyKey


def _invalid(message: str) -> ApiError:
    return ApiError(400, "invalid_certificate", message)


def checked_certificate(
    signed: bytes, *, signer_key: bytes, organization: str, user_id: str, signed_by: str,
    profile: str | None = None,
) -> UserCertificate:
    try:
        certificate = UserCertificate.verified(signed, VerifyKey(signer_key), organization, user_id)
    except CryptoError as error:
        raise _invalid(f"the certificate does not verify: {error}") from error
    if certificate.signed_by != signed_by:
        raise _invalid("the certificate names another signer")
    if profile is not None and certificate.profile != profile:
        raise _invalid("the certificate gives another profile than the invitation")
    return certificate


def checked_revocation(
    signed: bytes, *, signer_key: bytes, organization: str, user_id: str, revoked_by: str
) -> RevocationCertificate:
    try:
        revocation = RevocationCertificate.from_value(
            VerifyKey(signer_key).verify_object(revocation_context(organization, user_id), signed)
        )
    except CryptoError as error:
        raise _invalid(f"the revocation does not verify: {error}") from error
    if (revocation.user_id, revocation.revoked_by) != (user_id, revoked_by):
        raise _invalid("the revocation names another user or signer")
    return revocation
