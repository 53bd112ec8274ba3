"""The real server killed in the middle of a burst of postings and receipts, and a backup taken
while writes go on: afterwards no document is half written, everything the server acknowledged
is there, and `salesdesk check` says the books hold.

These run `salesdesk` itself in a data directory of their own (SQLite), so they do not use the
test database.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import threading
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from tests.core.live_server_helpers import (
    DB_NAME,
    Server,
    copy_database,
    integrity,
    query,
    salesdesk,
)

pytestmark = [
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")), reason="the crash tests run salesdesk on its own SQLite file"
    ),
    # A writer thread that meets a refusal or an unexpected answer fails the test, not just itself.
    pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning"),
]

REPEATS = int(os.environ.get("SALESDESK_CRASH_REPEATS", "3"))
RECEIPT_CUSTOMERS = ["GS00001", "GS00002", "YW00001", "YW00003"]
ORDER_CUSTOMERS = ["GS00001", "YW00001"]  # the demo customers whose orders pass their review


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    """The demo company, loaded once by `salesdesk demo`; each test works on a copy."""
    data_dir = tmp_path_factory.mktemp("demo")
    done = salesdesk(data_dir, "demo")
    assert done.returncode == 0, done.stderr
    return data_dir


def fresh_copy(demo_dir: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    copy_database(demo_dir, target)
    return target


class Acknowledged:
    """What the server answered 2xx to, collected from several threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.receipts: list[str] = []
        self.orders: list[str] = []
        self.posted: list[str] = []
        self.answers: dict[int, int] = defaultdict(int)

    def note(self, status: int) -> None:
        with self.lock:
            self.answers[status] += 1

    def add(self, kind: str, number: str) -> None:
        with self.lock:
            getattr(self, kind).append(number)


def receipt_body(customer: str, n: int) -> dict:
    return {
        "customer": customer,
        "received_on": dt.date.today().isoformat(),
        "amount": f"{11 + n % 7}.{n % 100:02d}",
        "method": "transfer",
        "note": "客户分次付款，金额与出货单不一致",
    }


def post_receipts(server: Server, token: str, customer: str, seen: Acknowledged, stop: threading.Event):
    n = 0
    while not stop.is_set():
        n += 1
        answer = server.call("POST", "/receipts", receipt_body(customer, n), token=token)
        seen.note(answer.status)
        if answer.status == 0:
            return  # the server is gone
        if 200 <= answer.status < 300:
            seen.add("receipts", answer.body["number"])


def post_orders(server: Server, tokens: dict, customer: str, seen: Acknowledged, stop: threading.Event):
    """Take an order down and register it, release it, prepare its outbound and post it."""
    assistant, warehouse = tokens["assistant"], tokens["warehouse"]
    while not stop.is_set():
        order = {
            "customer": customer,
            "channel": "phone",
            "ship_method": "pickup",
            "collection_method": "account",
            "register": True,
            "lines": [{"product": "A-102", "quantity": "2"}, {"product": "B-221", "quantity": "1"}],
        }
        steps = [
            ("POST", "/orders", order, assistant),
            ("POST", "/orders/{number}/release", None, assistant),
            ("POST", "/outbounds", None, warehouse),
            ("POST", "/outbounds/{reference}/post", None, warehouse),
        ]
        names: dict[str, str] = {}
        for method, path, body, token in steps:
            if path == "/outbounds":
                body = {
                    "order": names["number"],
                    "lines": [{"position": 1, "quantity": "2"}, {"position": 2, "quantity": "1"}],
                }
            answer = server.call(method, path.format(**names), body, token=token)
            seen.note(answer.status)
            if answer.status == 0:
                return
            assert 200 <= answer.status < 300, (path, answer)  # a refusal would mean the burst is wrong
            if path == "/orders":
                names["number"] = answer.body["number"]
                seen.add("orders", names["number"])
            elif path == "/outbounds":
                names["reference"] = answer.body["reference"]
            elif path.endswith("/post"):
                seen.add("posted", answer.body["number"])


def burst(server: Server, tokens: dict, seen: Acknowledged, stop: threading.Event) -> list[threading.Thread]:
    threads = [
        threading.Thread(target=post_receipts, args=(server, tokens["assistant"], c, seen, stop))
        for c in RECEIPT_CUSTOMERS
    ] + [threading.Thread(target=post_orders, args=(server, tokens, c, seen, stop)) for c in ORDER_CUSTOMERS]
    for thread in threads:
        thread.start()
    return threads


# --- What the database holds, read straight from the file --------------------------------------


def numbers(db: Path, sql: str) -> set[str]:
    return {row[0] for row in query(db, sql)}


def half_posted(db: Path) -> list[str]:
    """Outbounds whose stock moves do not match their lines: posted without moves, moved unposted."""
    lines, moves = defaultdict(Decimal), defaultdict(Decimal)
    for outbound, product, quantity in query(
        db, "SELECT outbound_id, product_id, quantity FROM warehouse_outboundline"
    ):
        lines[outbound, product] += Decimal(str(quantity))
    for outbound, product, quantity in query(
        db, "SELECT outbound_id, product_id, quantity FROM warehouse_stockmove WHERE outbound_id IS NOT NULL"
    ):
        moves[outbound, product] += Decimal(str(quantity))
    wrong = []
    for pk, number, kind, status in query(db, "SELECT id, number, kind, status FROM warehouse_outbound"):
        if kind not in ("sale", "return"):
            continue
        keys = {key for key in set(lines) | set(moves) if key[0] == pk}
        sign = -1 if kind == "sale" else 1
        for key in keys:
            expected = sign * lines[key] if status == "posted" else Decimal("0")
            if moves[key] != expected:
                wrong.append(f"{number or f'D{pk}'} ({status}): product {key[1]} moved {moves[key]}")
    return wrong


def gapless(found: set[str], prefix: str) -> bool:
    by_year = defaultdict(list)
    for number in found:
        match = re.fullmatch(rf"{prefix}(\d{{4}})-(\d+)", number)
        assert match, number
        by_year[match.group(1)].append(int(match.group(2)))
    return all(sorted(ns) == list(range(1, len(ns) + 1)) for ns in by_year.values())


def assert_kept(db: Path, acknowledged: Acknowledged) -> None:
    """Every receipt, order and posting the server acknowledged is in the database."""
    assert set(acknowledged.receipts) <= numbers(db, "SELECT number FROM receivables_receipt")
    assert set(acknowledged.orders) <= numbers(
        db, "SELECT number FROM orders_salesorder WHERE number IS NOT NULL"
    )
    assert set(acknowledged.posted) <= numbers(
        db, "SELECT number FROM warehouse_outbound WHERE status = 'posted' AND kind = 'sale'"
    )


def assert_the_books_hold(data_dir: Path) -> None:
    db = data_dir / DB_NAME
    assert integrity(db) == "ok"
    checked = salesdesk(data_dir, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "the books hold" in checked.stdout
    assert half_posted(db) == []


# --- The crash ----------------------------------------------------------------------------------


def test_a_server_killed_in_a_burst_of_writes_loses_nothing_it_acknowledged(demo_dir, tmp_path):
    data_dir = fresh_copy(demo_dir, tmp_path, "crash")
    db = data_dir / DB_NAME
    everything = Acknowledged()
    for _repeat in range(REPEATS):
        server = Server(data_dir)
        stop = threading.Event()
        threads: list[threading.Thread] = []
        seen = Acknowledged()
        try:
            server.start()
            tokens = {name: server.token(name) for name in ("assistant", "warehouse")}
            threads = burst(server, tokens, seen, stop)
            # Once the first receipt is acknowledged (however slow the machine), pull the plug
            # at a random moment while the burst goes on.
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with seen.lock:
                    if seen.receipts:
                        break
                time.sleep(0.05)
            time.sleep(random.uniform(0.1, 1.0))  # noqa: S311  (no secret: when to pull the plug)
            server.kill()  # SIGKILL, requests in flight
        finally:
            server.kill()
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
        assert not any(thread.is_alive() for thread in threads)
        assert seen.receipts, f"no receipt was acknowledged before the kill: {dict(seen.answers)}"
        assert set(seen.answers) <= {0, 200, 201}, dict(seen.answers)
        for kind in ("receipts", "orders", "posted"):
            getattr(everything, kind).extend(getattr(seen, kind))
        print(  # shown with -s: how much each kill cut into
            f"kill {_repeat + 1}: answers {dict(seen.answers)}, receipts {len(seen.receipts)},"
            f" orders {len(seen.orders)}, posted {len(seen.posted)}"
        )

        assert_the_books_hold(data_dir)
        assert_kept(db, everything)
        assert not query(
            db,
            "SELECT r.number FROM receivables_receipt r JOIN receivables_allocation a ON a.receipt_id = r.id"
            " GROUP BY r.id HAVING SUM(a.amount) > r.amount + 0.001",
        )
    # Writes went on across the restarts: the series continued without a gap.
    assert gapless(numbers(db, "SELECT number FROM receivables_receipt"), "SK")


def test_two_server_processes_take_a_burst_of_writes_and_the_books_hold(demo_dir, tmp_path):
    """`salesdesk run --workers 2` on SQLite: both processes write, queued on the file's lock."""
    data_dir = fresh_copy(demo_dir, tmp_path, "workers")
    db = data_dir / DB_NAME
    server = Server(data_dir, workers=2)
    stop = threading.Event()
    seen = Acknowledged()
    threads: list[threading.Thread] = []
    try:
        server.start()
        tokens = {name: server.token(name) for name in ("assistant", "warehouse")}
        threads = burst(server, tokens, seen, stop)
        time.sleep(3)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        server.stop()

    log = (data_dir / "server.log").read_text()
    assert len(re.findall(r"Booting worker with pid", log)) == 2, log[-2000:]
    assert "Control socket" not in log  # nothing left behind in the home directory
    assert set(seen.answers) <= {200, 201}, dict(seen.answers)
    assert seen.receipts and seen.posted, dict(seen.answers)
    assert_the_books_hold(data_dir)
    assert_kept(db, seen)
    assert gapless(numbers(db, "SELECT number FROM receivables_receipt"), "SK")


# --- The backup ---------------------------------------------------------------------------------


def test_a_backup_taken_while_receipts_are_posted_restores_to_books_that_hold(demo_dir, tmp_path):
    live_dir = fresh_copy(demo_dir, tmp_path, "live")
    backup_file = tmp_path / "backups" / "salesdesk-backup.sqlite3"
    server = Server(live_dir)
    stop = threading.Event()
    threads: list[threading.Thread] = []
    seen = Acknowledged()
    try:
        server.start()
        token = server.token("assistant")
        threads = [
            threading.Thread(target=post_receipts, args=(server, token, customer, seen, stop))
            for customer in RECEIPT_CUSTOMERS[:2]
        ]
        for thread in threads:
            thread.start()
        # Wait for the first acknowledged receipts, however slow the machine, then back up.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with seen.lock:
                before = list(seen.receipts)
            if len(before) >= 2:
                break
            time.sleep(0.05)
        taken = salesdesk(live_dir, "backup", str(backup_file))
        with seen.lock:
            during = len(seen.receipts) - len(before)
        time.sleep(0.2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        server.kill()
    assert taken.returncode == 0, taken.stdout + taken.stderr
    assert before, "no receipt was posted before the backup"
    assert during > 0, "the writes did not go on while the backup was taken"

    restored_dir = tmp_path / "restored"
    restored = salesdesk(restored_dir, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stdout + restored.stderr

    assert_the_books_hold(restored_dir)
    live = numbers(live_dir / DB_NAME, "SELECT number FROM receivables_receipt")
    kept = numbers(restored_dir / DB_NAME, "SELECT number FROM receivables_receipt")
    assert set(seen.receipts) <= live
    assert set(before) <= kept, "a receipt acknowledged before the backup began is missing from it"
    assert kept <= live
    assert gapless(kept, "SK"), sorted(kept)
    assert len(kept) < len(live), "writes after the backup should not be in it"
