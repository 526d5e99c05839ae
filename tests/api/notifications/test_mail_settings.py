"""The SMTP setting: flags, environment and configuration file name it (the password never shown),
a malformed URL stops the start with a clear message, and mails go through STARTTLS with the
URL's credentials, or over implicit TLS (smtps), to real aiosmtpd servers on loopback whose
certificate is checked: an untrusted one gets nothing, credentials included."""

from __future__ import annotations

import argparse
import datetime
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from api.config import Config, ConfigError, add_server_arguments, config_from
from api.notifications.mail_text import notification_mail
from api.notifications.smtp import send
from e2e.harness.services.smtp import SmtpServer, smtp_service

USER, PASSWORD = "paravent", "s3cret-mot-de-passe"


def _config(argv: list[str], environ: dict[str, str] | None = None) -> Config:
    parser = argparse.ArgumentParser()
    add_server_arguments(parser)
    return config_from(parser.parse_args(argv), environ or {})


def test_flags_environment_and_file_name_the_smtp_server(tmp_path: Path) -> None:
    config = _config(["--smtp-url", f"smtp://{USER}:{PASSWORD}@mail.chu.example:587",
                      "--smtp-starttls", "--smtp-from", "paravent@chu.example",
                      "--mail-group-minutes", "2"])
    assert (config.smtp_url, config.smtp_starttls, config.smtp_from, config.mail_group_seconds) == (
        f"smtp://{USER}:{PASSWORD}@mail.chu.example:587", True, "paravent@chu.example", 120)
    assert PASSWORD not in repr(config)
    settings = tmp_path / "paravent.conf"
    settings.write_text("PARAVENT_SMTP_URL=smtps://mail.chu.example\nPARAVENT_SMTP_STARTTLS=no\n"
                        "PARAVENT_MAIL_GROUP_MINUTES=10\n")
    from_file = _config(["--config", str(settings)], {
        "PARAVENT_SMTP_USER": USER, "PARAVENT_SMTP_PASSWORD": PASSWORD})
    assert (from_file.smtp_url, from_file.smtp_starttls, from_file.mail_group_seconds,
            from_file.smtp_user, from_file.smtp_password) == (
        "smtps://mail.chu.example", False, 600, USER, PASSWORD)
    assert PASSWORD not in repr(from_file)
    assert _config([]).smtp_url is None and _config([]).mail_group_seconds == 300
    with pytest.raises(ConfigError, match="--smtp-url must be") as refused:
        _config(["--smtp-url", f"http://{USER}:{PASSWORD}@mail.chu.example"])
    assert PASSWORD not in str(refused.value)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: (certificate file, key file)."""
    folder = tmp_path_factory.mktemp("smtp-tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def _server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


def _authenticate(_server: Any, _session: Any, _envelope: Any, _mechanism: str,
                  data: Any) -> AuthResult:
    return AuthResult(success=isinstance(data, LoginPassword)
                      and (data.login, data.password) == (USER.encode(), PASSWORD.encode()))


@pytest.fixture(scope="module")
def starttls_server(certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    """An SMTP server that requires STARTTLS, then a login, before it takes a mail."""
    with smtp_service(tls_context=_server_tls(certificate), require_starttls=True,
                      authenticator=_authenticate, auth_required=True) as server:
        yield server


@pytest.fixture(scope="module")
def smtps_server(certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    """An SMTP server spoken to over TLS from the first byte."""
    with smtp_service(implicit_tls=_server_tls(certificate)) as server:
        yield server


def _mail(recipient: str) -> Any:
    return notification_mail(sender="paravent@chu.example", recipient=recipient, language="fr",
                             origin="https://paravent.chu.example", workspace_ids=["w-" + "a" * 24])


def _send(config_fields: dict[str, Any], recipient: str, tmp_path: Path) -> None:
    send(Config(data_dir=tmp_path, **config_fields), _mail(recipient))


def test_starttls_with_the_urls_credentials_and_a_checked_certificate(
        starttls_server: SmtpServer, certificate: tuple[Path, Path],
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    port, mailbox = starttls_server.port, starttls_server.mailbox
    url = f"smtp://{USER}:{PASSWORD}@127.0.0.1:{port}"
    with pytest.raises(ssl.SSLCertVerificationError):  # not trusted yet: nothing is sent
        _send({"smtp_url": url, "smtp_starttls": True}, "untrusted@chu.example", tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    _send({"smtp_url": url, "smtp_starttls": True}, "durand@chu.example", tmp_path)
    _send({"smtp_url": f"smtp://127.0.0.1:{port}", "smtp_starttls": True, "smtp_user": USER,
           "smtp_password": PASSWORD}, "carrel@chu.example", tmp_path)
    assert [message["To"] for message in mailbox.messages] == [
        "durand@chu.example", "carrel@chu.example"]
    assert mailbox.messages[0]["Subject"] == "Du nouveau vous attend dans Paravent"


def test_smtps_speaks_tls_from_the_start(
        smtps_server: SmtpServer, certificate: tuple[Path, Path],
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    mailbox = smtps_server.mailbox
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    _send({"smtp_url": smtps_server.url}, "durand@chu.example", tmp_path)
    assert [message["To"] for message in mailbox.wait_for("durand@chu.example", 1)] == [
        "durand@chu.example"]
