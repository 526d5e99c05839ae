"""Per-address rate limits see the client behind a listed reverse proxy, and only behind one:
the X-Forwarded-For of any other peer is ignored."""

from __future__ import annotations

import argparse
from dataclasses import replace

import pytest

from api import create_app
from api.config import add_server_arguments, config_from

PROXY = "10.0.0.1"
LIMIT = 2


@pytest.fixture
def app(config):
    return create_app(replace(config, trusted_proxies=(PROXY, "10.1.0.0/16"),
                              ceremony_requests_per_minute=LIMIT))


def _options(client, peer, forwarded_for=None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post("/api/login/options", headers=headers,
                       environ_base={"REMOTE_ADDR": peer}).status_code


def test_proxy_clients_behind_a_trusted_proxy_are_counted_apart(client):
    assert [_options(client, PROXY, "198.51.100.7") for _ in range(LIMIT + 1)] == \
        [200] * LIMIT + [429]
    assert _options(client, PROXY, "198.51.100.8") == 200
    assert _options(client, PROXY, "203.0.113.9, 198.51.100.7, 10.1.2.3") == 429


def test_proxy_forwarded_for_from_an_untrusted_peer_is_ignored(client):
    spoofed = [_options(client, "192.0.2.50", f"198.51.100.{n}") for n in range(LIMIT + 1)]
    assert spoofed == [200] * LIMIT + [429]


def test_proxy_list_from_flag_or_environment():
    parser = argparse.ArgumentParser()
    add_server_arguments(parser)
    from_env = config_from(parser.parse_args([]),
                           {"PARAVENT_TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/24"})
    assert from_env.trusted_proxies == ("10.0.0.1", "192.168.0.0/24")
    from_flag = config_from(parser.parse_args(["--trusted-proxies", "::1"]),
                            {"PARAVENT_TRUSTED_PROXIES": "10.0.0.1"})
    assert from_flag.trusted_proxies == ("::1",)
    assert config_from(parser.parse_args([]), {}).trusted_proxies == ()
    with pytest.raises(SystemExit):
        parser.parse_args(["--trusted-proxies", "proxy.example"])
