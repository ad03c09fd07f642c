"""The production set-up on loopback ports, for the cluster tests: nginx (deploy/nginx/storefront.conf) in front
of two gunicorn nodes (deploy/gunicorn.conf.py), two jobs workers (one with the periodic jobs), PostgreSQL (a
fresh database) and Redis (one database number), every process started from deploy/storefront.env."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PORT_BASE = int(os.environ.get("CLUSTER_PORT_BASE", "7700"))
REDIS_URL = os.environ.get("CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/7")
WEB_WORKERS = 2  # gunicorn sync workers per node: also the most requests a killed node can have in flight


def database_url() -> str:
    """A PostgreSQL database for the cluster alone: CLUSTER_DATABASE_URL, else TEST_DATABASE_URL's server's
    `<name>_cluster`, else storefront_cluster on the local server."""
    if url := os.environ.get("CLUSTER_DATABASE_URL"):
        return url
    test_url = os.environ.get("TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/storefront"
    base, _, name = test_url.rpartition("/")
    return f"{base}/{name.split('?')[0]}_cluster"


def recreate_database(url: str) -> None:
    """Drop and create the cluster's database (a fresh one each run)."""
    import psycopg

    base, _, name = url.replace("postgresql+psycopg://", "postgresql://").rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def production_env() -> dict[str, str]:
    """deploy/storefront.env as a dict (KEY=value lines)."""
    env = {}
    for line in (DEPLOY / "storefront.env").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    return env


def site_config(nginx_port: int, web_ports: list[int], media: Path) -> str:
    """deploy/nginx/storefront.conf with the cluster's ports and folders in place of production's."""
    text = (DEPLOY / "nginx" / "storefront.conf").read_text()
    servers = re.findall(r"server 127\.0\.0\.1:(\d+) ", text)
    assert len(servers) >= 2, "the site config names two or more gunicorn nodes"
    for production, port in zip(servers, web_ports, strict=True):
        text = text.replace(f"server 127.0.0.1:{production} ", f"server 127.0.0.1:{port} ")
    text = text.replace("listen 80;", f"listen 127.0.0.1:{nginx_port};")
    text = text.replace("/srv/storefront/static/", f"{ROOT / 'static'}/")
    text = text.replace("/srv/storefront/instance/media/", f"{media}/")
    return text


def nginx_main_config(base: Path, site: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf gives a site, with every file in `base` (no root-owned paths)."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # a root test run: its temp folders are root's own
    return f"""{user}worker_processes 2;
pid {base}/nginx.pid;
error_log {base}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {base}/nginx-access.log;
    client_body_temp_path {base}/client_body;
    proxy_temp_path {base}/proxy;
    fastcgi_temp_path {base}/fastcgi;
    uwsgi_temp_path {base}/uwsgi;
    scgi_temp_path {base}/scgi;
    include {site};
}}
"""


@dataclass
class Cluster:
    """The running processes and where they write."""

    base: Path
    env: dict[str, str]
    nginx_port: int
    web_ports: list[int]
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port}"

    def start(self, name: str) -> None:
        """Start (or restart) the process `name`: web0, web1, worker0 (periodic), worker1, nginx."""
        log = open(self.base / f"{name}.log", "ab")
        if name.startswith("web"):
            port = self.web_ports[int(name[3:])]
            env = self.env | {"GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(WEB_WORKERS)}
            cmd = [str(ROOT / ".venv/bin/gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py"), "storefront:create_app()"]
        elif name.startswith("worker"):
            env = self.env | {"JOBS_PERIODIC": "1" if name == "worker0" else "0"}
            cmd = [sys.executable, "-m", "flask", "--app", "storefront", "jobs", "worker"]
        else:
            env = dict(os.environ)
            cmd = ["/usr/sbin/nginx", "-c", str(self.base / "nginx.conf"), "-g", "daemon off;"]
        self.procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def kill(self, name: str) -> None:
        """SIGKILL the process `name` and its children (a gunicorn master and its workers die together)."""
        proc = self.procs[name]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def stop(self) -> None:
        """Stop everything this cluster started (SIGTERM, then SIGKILL)."""
        for proc in self.procs.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)

    def wait_ready(self, port: int, timeout: float = 60) -> None:
        """Until the node on `port` answers /readyz."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise AssertionError(f"nothing ready on port {port}: {self.logs()}")

    def logs(self) -> str:
        """The tail of every process's log (for a failing assertion)."""
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
                         for p in sorted(self.base.glob("*.log")))
