"""The real `salesdesk` program in its own data directory: run its commands, serve it with
waitress on a free port, and speak JSON to its API the way an integration would."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEMO_PASSWORD = "salesdesk-demo-2026"  # noqa: S105  (the demo company's printed password)
DB_NAME = "salesdesk.sqlite3"
SALESDESK = [sys.executable, "-m", "salesdesk.cli"]


def env_for(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SALESDESK_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(SALESDESK_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    return env


def salesdesk(data_dir: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """One `salesdesk …` command in that data directory, its output captured."""
    return subprocess.run(  # noqa: S603
        [*SALESDESK, *args], env=env_for(data_dir), capture_output=True, text=True, timeout=timeout
    )


def copy_database(source_dir: Path, target_dir: Path) -> None:
    """A consistent copy of a stopped installation: its database and its secret key."""
    target_dir.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(source_dir / DB_NAME)
    target = sqlite3.connect(target_dir / DB_NAME)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()
    shutil.copyfile(source_dir / "secret_key", target_dir / "secret_key")


def integrity(db_path: Path) -> str:
    connection = sqlite3.connect(db_path)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def query(db_path: Path, sql: str, *params: Any) -> list[tuple]:
    connection = sqlite3.connect(db_path)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Answer:
    status: int  # 0: no answer at all (the connection broke or timed out)
    body: Any = None


@dataclass
class Server:
    """`salesdesk run` as a child process; `kill()` is SIGKILL, with no chance to tidy up."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    workers: int = 1  # server processes (`salesdesk run --workers`)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def start(self, timeout: float = 30) -> Server:
        log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115  (the child keeps it)
        self.process = subprocess.Popen(  # noqa: S603
            [*SALESDESK, "run", "--port", str(self.port), "--threads", "8", "--workers", str(self.workers)],
            env=env_for(self.data_dir),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the server stopped: {(self.data_dir / 'server.log').read_text()[-2000:]}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the server did not answer in time")

    def stop(self) -> None:
        """SIGTERM: the server finishes what it is doing and goes."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=10)

    def call(self, method: str, path: str, data: Any = None, token: str | None = None) -> Answer:
        body = json.dumps(data).encode() if data is not None else (b"{}" if method == "POST" else None)
        request = urllib.request.Request(f"{self.base}{path}", data=body, method=method)  # noqa: S310
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                return Answer(response.status, json.loads(response.read() or b"null"))
        except urllib.error.HTTPError as exc:
            try:
                return Answer(exc.code, json.loads(exc.read() or b"null"))
            except (ValueError, OSError, http.client.HTTPException):
                return Answer(exc.code)
        except (OSError, ValueError, http.client.HTTPException):
            return Answer(0)  # cut off mid-answer counts as no answer: nothing acknowledged

    def token(self, username: str) -> str:
        answer = self.call("POST", "/auth/token", {"username": username, "password": DEMO_PASSWORD})
        assert answer.status == 200, answer
        return answer.body["token"]
