"""Trusted reverse proxies: behind one, every request comes from the proxy's address, so
per-address rate limits would see one client. For a request whose peer is a listed proxy (an
address or a network, `--trusted-proxies`), the client is the right-most `X-Forwarded-For`
address that is not itself a listed proxy; the header of any other peer is ignored, since a
client could write anything there.
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import Any

from flask import Flask

Network = IPv4Network | IPv6Network
PROXY_ENVIRON_KEY = "paravent.proxy_addr"


def parse_trusted_proxies(text: str) -> tuple[str, ...]:
    """Comma-separated addresses or networks (`10.0.0.1, 192.168.0.0/24, ::1`), checked; a
    ValueError names the first that is neither."""
    listed = tuple(part.strip() for part in text.split(",") if part.strip())
    for entry in listed:
        try:
            ip_network(entry, strict=False)
        except ValueError as error:
            raise ValueError(f"not an address or network: {entry!r}") from error
    return listed


class TrustedProxies:
    """WSGI middleware that sets REMOTE_ADDR to the client behind a trusted proxy."""

    def __init__(self, app: Any, trusted: Iterable[str]) -> None:
        self.app = app
        self.networks: list[Network] = [ip_network(entry, strict=False) for entry in trusted]

    def is_trusted(self, address: str) -> bool:
        try:
            parsed = ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in self.networks)

    def client_of(self, peer: str, forwarded_for: str) -> str:
        if not self.is_trusted(peer):
            return peer
        client = peer
        for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
            client = hop
            if not self.is_trusted(hop):
                break
        return client

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        peer = environ.get("REMOTE_ADDR", "")
        client = self.client_of(peer, environ.get("HTTP_X_FORWARDED_FOR", ""))
        if client != peer:
            environ[PROXY_ENVIRON_KEY] = peer
            environ["REMOTE_ADDR"] = client
        return self.app(environ, start_response)


def init_trusted_proxies(app: Flask) -> None:
    """Wrap the whole app (Socket.IO included) when proxies are listed."""
    trusted = app.config["PARAVENT"].trusted_proxies
    if trusted:
        app.wsgi_app = TrustedProxies(app.wsgi_app, trusted)  # type: ignore[method-assign]
