"""Identity end to end, with two people in two browser contexts (each with their own virtual
passkey authenticator): bootstrap, invitation with the SAS check (in either order, and wrong codes
on either side: retried, then cancelled at the last try), passkey and recovery sign-in,
revocation, and what a tampering server cannot hide."""

from __future__ import annotations

import base64
import sqlite3

import pytest
from playwright.sync_api import expect

from e2e.harness import flows
from e2e.harness.browser import wait_for_crypto_ready
from e2e.harness.flows import ADMIN, MEMBER, TIMEOUT_MS

PRF_SALT = b"paravent prf salt, version 1...."

# Evaluates the same PRF the app uses, for the credential just used, to check it never reaches
# the server.
READ_PRF = """
async (salt) => {
  const assertion = await navigator.credentials.get({ publicKey: {
    challenge: new Uint8Array(32), userVerification: 'required',
    extensions: { prf: { eval: { first: new TextEncoder().encode(salt) } } } } });
  const bytes = new Uint8Array(assertion.getClientExtensionResults().prf.results.first);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
"""


def test_identity_invite_sign_in_recover_and_revoke(server, organization):
    admin, invitee, _ = organization
    recovery = flows.certified_member(admin, invitee, MEMBER)
    first_fingerprint = flows.fingerprint(invitee)

    flows.sign_out(invitee)
    flows.sign_in(invitee)
    assert flows.fingerprint(invitee) == first_fingerprint

    prf_hex = invitee.page.evaluate(READ_PRF, PRF_SALT.decode())
    flows.sign_out(invitee)
    invitee.lose_passkeys()
    invitee.page.click("#go-recovery")
    invitee.page.fill("#recovery-code-input", recovery.lower().replace("-", " "))
    invitee.page.click("form button[type=submit]")
    invitee.page.wait_for_selector("#add-passkey", timeout=30_000)
    invitee.page.click("#add-passkey")
    invitee.page.wait_for_selector("#security-notice .success", timeout=30_000)
    # The notice shows before the list is fetched again: wait for the list, do not read it once.
    expect(invitee.page.locator("#passkey-list li")).to_have_count(2, timeout=TIMEOUT_MS)
    assert flows.fingerprint(invitee) == first_fingerprint

    # The admin's page reloads on Home (the finished code check says so, without an error).
    expect(admin.page.locator("#sas-done")).to_be_visible()
    flows.go_home(admin)
    admin.page.reload()
    wait_for_crypto_ready(admin.page)
    flows.sign_in(admin)
    flows.fingerprint(admin)
    flows.go_to(admin, "people")
    row = admin.page.locator(f"#directory tr:has-text('{MEMBER.name}')")
    row.locator(".badge-verified").wait_for(timeout=30_000)
    row.locator("button.danger").click()
    flows.confirm(admin)
    admin.page.locator(f"#directory tr:has-text('{MEMBER.name}') .badge-revoked").wait_for()

    alert = invitee.page.locator("[role=alert]:not([hidden])")
    alert.wait_for(timeout=30_000)
    assert "revoked" in alert.inner_text()
    assert invitee.page.locator("#my-fingerprint").count() == 0
    invitee.page.reload()
    wait_for_crypto_ready(invitee.page)
    invitee.page.click("#sign-in-passkey")
    alert.wait_for(timeout=30_000)
    assert "revoked" in alert.inner_text()

    database = b"".join(path.read_bytes() for path in server.data_dir.glob("paravent.sqlite3*"))
    prf = bytes.fromhex(prf_hex)
    secret = base64.b32decode(recovery.replace("-", ""))
    for forbidden in (
        prf, prf_hex.encode(), base64.urlsafe_b64encode(prf).rstrip(b"="),
        base64.b64encode(prf), recovery.encode(), recovery.replace("-", "").encode(), secret,
        b"signing_seed", b"encryption_seed",
    ):
        assert forbidden not in database


@pytest.mark.parametrize("admin_first", [True, False], ids=["admin-first", "invitee-first"])
def test_identity_codes_in_either_order_land_both_on_working_pages(server, organization,
                                                                   admin_first):
    """The first to type the other's code waits, with their own code still shown, for the
    other's check; only then is the certificate signed, and both land on a working page."""
    admin, invitee, _ = organization
    link = flows.invite(admin, MEMBER)
    flows.start_greeting(admin)
    flows.claim(invitee, link)
    admin_code, invitee_code = flows.codes(admin, invitee)
    if admin_first:
        flows.type_code(admin, invitee_code)
        expect(admin.page.locator("#sas-status")).to_contain_text(
            "waiting for their confirmation", timeout=TIMEOUT_MS)
        expect(admin.page.locator("#my-sas-code")).to_have_text(admin_code)
        expect(invitee.page.locator("#sas-status")).to_contain_text("Read your code aloud")
        flows.type_code(invitee, admin_code)
    else:
        flows.type_code(invitee, admin_code)
        expect(admin.page.locator("#sas-status")).to_contain_text(
            "The invitee confirmed your code", timeout=TIMEOUT_MS)
        expect(invitee.page.locator("#sas-status")).to_contain_text(
            "waiting for the administrator to type it")
        expect(invitee.page.locator("#my-sas-code")).to_have_text(invitee_code)
        flows.type_code(admin, invitee_code)
    expect(admin.page.locator("#sas-done")).to_have_text(f"{MEMBER.name} is now a member.",
                                                         timeout=TIMEOUT_MS)
    member = admin.page.locator("#sas-new-member")
    expect(member).to_contain_text(f"{MEMBER.name} — {MEMBER.site}", timeout=TIMEOUT_MS)
    expect(member.locator(".badge-verified")).to_have_text("Verified")
    expect(invitee.page.locator("#me-title")).to_have_text(f"Welcome, {MEMBER.name}",
                                                           timeout=TIMEOUT_MS)
    expect(invitee.page.locator("#my-fingerprint")).to_have_text(
        member.locator("code.fingerprint").inner_text())
    for page in (admin.page, invitee.page):
        expect(page.locator("[role=alert]:not([hidden]), #sas-aborted")).to_have_count(0)


@pytest.mark.parametrize("wrong_side", ["invitee", "admin"])
def test_identity_wrong_codes_retry_then_abort_the_invitation_on_both_sides(server, organization,
                                                                            wrong_side):
    """A code that does not match is a try, worded as a likely mishearing, with new codes each
    time; the last of three tries cancels the invitation for both, as a possible interception."""
    admin, invitee, _ = organization
    link = flows.invite(admin, MEMBER)
    flows.start_greeting(admin)
    flows.claim(invitee, link)
    shown: tuple[str, str] | None = None
    for tries_left in (2, 1, 0):
        for user in (admin, invitee):
            if shown is not None:
                expect(user.page.locator("#my-sas-code")).not_to_have_text(
                    shown[0 if user is admin else 1], timeout=TIMEOUT_MS)
        admin_code, invitee_code = shown = flows.codes(admin, invitee)
        if wrong_side == "invitee":
            flows.type_code(admin, invitee_code)
            flows.type_code(invitee, _wrong(admin_code))
        else:
            flows.type_code(invitee, admin_code)
            flows.type_code(admin, _wrong(invitee_code))
        if tries_left:
            left = "1 try left" if tries_left == 1 else f"{tries_left} tries left"
            for user in (admin, invitee):
                expect(user.page.locator("#sas-retry")).to_contain_text(
                    f"The codes do not match: check you read them correctly; {left}.",
                    timeout=TIMEOUT_MS)
                assert "intercepting" not in user.page.locator("#sas-retry").inner_text()
    if wrong_side == "invitee":
        told = [(invitee, "The code you typed does not match"),
                (admin, "The invitee typed a code that does not match yours")]
    else:
        told = [(admin, "The code you typed does not match"),
                (invitee, "The administrator typed a code that does not match yours")]
    for user, message in told:
        expect(user.page.locator("#sas-aborted")).to_contain_text(message, timeout=TIMEOUT_MS)
        expect(user.page.locator("#sas-aborted")).to_contain_text("intercepting")
        expect(user.page.locator("#sas-status")).to_have_text("The invitation was cancelled.")
    invitee.page.goto(link)
    alert = invitee.page.locator("[role=alert]:not([hidden])")
    alert.wait_for(timeout=30_000)
    assert "cancelled" in alert.inner_text()


def _wrong(code: str) -> str:
    return "ZZZZ" if code != "ZZZZ" else "YYYY"


def test_identity_server_substituting_a_key_is_caught(server, organization):
    admin, invitee, _ = organization
    flows.certified_member(admin, invitee, MEMBER)
    member_id = invitee.page.evaluate(
        "async () => (await (await fetch('/api/session')).json()).user.user_id")
    with sqlite3.connect(server.database_path) as database:
        (certificate,) = database.execute(
            "select certificate from users where id = ?", [member_id]).fetchone()
        forged = certificate.replace(b'"profile":"member"', b'"profile":"admin"')
        assert forged != certificate
        database.execute("update users set certificate = ?, profile = 'admin' where id = ?",
                         [forged, member_id])
    flows.go_to(admin, "people")
    row = admin.page.locator(f"#directory tr:has-text('{MEMBER.name}')")
    row.locator(".badge-invalid").wait_for(timeout=30_000)
    assert "not valid" in row.locator(".problem").inner_text()
    assert row.locator("button.danger").count() == 0


def test_identity_passkey_without_prf_explains_and_unlocks_with_recovery_code(server, new_user):
    admin = new_user(prf=False)
    admin.page.goto(server.bootstrap_link("CHU sans PRF"))
    wait_for_crypto_ready(admin.page)
    admin.page.fill("#field-display_name", ADMIN.name)
    admin.page.fill("#field-email", ADMIN.email)
    admin.page.fill("#field-site", ADMIN.site)
    admin.page.click("#create-organization")
    assert "does not support the PRF extension" in admin.page.locator(".warning").inner_text(
        timeout=30_000)
    recovery = flows.keep_recovery_code(admin)
    fingerprint = flows.fingerprint(admin)
    flows.sign_out(admin)
    admin.page.click("#sign-in-passkey")
    admin.page.wait_for_selector("#no-prf-explanation", timeout=30_000)
    admin.page.fill("#unlock-recovery-code", recovery)
    admin.page.click("form button[type=submit]")
    assert flows.fingerprint(admin) == fingerprint


def test_identity_idle_lock_wipes_keys_and_asks_for_the_passkey(server, new_user):
    admin = new_user()
    admin.page.clock.install()
    flows.bootstrap(admin, server.bootstrap_link("CHU Veille"), ADMIN)
    fingerprint = flows.fingerprint(admin)
    admin.page.clock.fast_forward("10:05")
    admin.page.wait_for_selector("#lock-screen", timeout=30_000)
    status = admin.page.evaluate(
        "async () => (await import(`${document.body.dataset.assetBase}web/crypto-client.js`))"
        ".cryptoClient().call('identity.status')")
    assert status == {"unlocked": False}
    flows.sign_in(admin)
    assert flows.fingerprint(admin) == fingerprint


def test_identity_server_log_names_no_link_token(server, organization):
    link = server.bootstrap_link("CHU Journal")
    token = link.rsplit("/", 1)[1]
    organization[0].page.goto(link)
    wait_for_crypto_ready(organization[0].page)
    organization[0].page.wait_for_selector("#create-organization")
    log = server.log_text(whole=True)
    assert "/api/bootstrap/<token>" in log
    assert token not in log
