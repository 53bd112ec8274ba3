"""`salesdesk run --workers N`: every process listens on a socket of its own, so the kernel spreads
the browsers' connections over them, and a port already in use is refused rather than shared."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from tests.core.live_server_helpers import Server, free_port, salesdesk
from tests.core.test_sqlite_write_queue import eventually

pytestmark = [
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")), reason="the server runs on its own SQLite file either way"
    ),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the sockets from /proc"),
]

LISTEN = "0A"  # the state column of /proc/net/tcp


def listening_sockets(port: int) -> int:
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == LISTEN:
                count += 1
    return count


def test_each_server_process_listens_on_a_socket_of_its_own(tmp_path):
    # One socket shared by the processes let whichever won the race to accept take nearly every
    # kept-alive connection: 15 of 16 in a load run, with the other process idle.
    server = Server(tmp_path, workers=2)
    try:
        server.start(timeout=60)  # answers once the first process listens
        eventually(lambda: listening_sockets(server.port) == 2, seconds=30)
        assert listening_sockets(server.port) == 2
    finally:
        server.stop()


def test_a_port_in_use_is_refused_not_shared(tmp_path):
    port = free_port()
    with socket.create_server(("127.0.0.1", port)):
        done = salesdesk(tmp_path, "run", "--workers", "2", "--port", str(port), timeout=120)
    assert done.returncode == 1
    assert f"cannot serve on 127.0.0.1:{port}" in done.stderr
