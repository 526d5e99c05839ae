"""Debian's nginx on a free loopback port, spreading HTTP and WebSocket connections round-robin
over Paravent processes as a production reverse proxy does."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from e2e.harness.server import free_port
from e2e.harness.services.process import stop, wait_for_port

NGINX_CONF = """\
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    client_max_body_size 20m;
    upstream paravent {{
{servers}
    }}
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
{pins}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://{backend};
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 120s;
            proxy_buffering off;
            proxy_request_buffering off;
        }}
    }}
}}
"""


@dataclass
class Nginx:
    process: subprocess.Popen[bytes]
    port: int

    def stop(self) -> None:
        stop(self.process)


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if found is None:
        raise RuntimeError("nginx is missing: apt-get install nginx")
    return found


PIN_HEADER = "X-Paravent-Backend"


def _pins(upstream_ports: Sequence[int]) -> str:
    """Tests only: a request carrying `PIN_HEADER: <n>` goes to the n-th process."""
    routes = " ".join(f'"{index}" 127.0.0.1:{upstream};'
                      for index, upstream in enumerate(upstream_ports))
    variable = "$http_" + PIN_HEADER.lower().replace("-", "_")
    return f"    map {variable} $pinned_backend {{ default paravent; {routes} }}"


def start_nginx(folder: Path, upstream_ports: Sequence[int], port: int | None = None, *,
                pinnable: bool = False) -> Nginx:
    """nginx on loopback spreading connections round-robin over `upstream_ports` (and, when
    `pinnable`, sending requests that name a process in `PIN_HEADER` to it)."""
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    servers = "\n".join(f"        server 127.0.0.1:{upstream};" for upstream in upstream_ports)
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(
        folder=folder, servers=servers, port=port, pins=_pins(upstream_ports) if pinnable else "",
        backend="$pinned_backend" if pinnable else "paravent"))
    process = subprocess.Popen([nginx_binary(), "-c", str(conf), "-p", str(folder), "-e",
                                str(folder / "error.log")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, "nginx", process)
    return Nginx(process, port)
