"""Pages and API under load: the production server (`salesdesk run`, waitress) against N logged-in
browsers on loopback, each looping over the pages of a working day, with latency per kind of request.

Run by hand (not by pytest), on a database that may take new orders (the run registers real ones):
    SALESDESK_DATA_DIR=$(mktemp -d) salesdesk demo      # or `salesdesk gendata --scale 1`
    SALESDESK_DATA_DIR=... python bench/load.py [--clients 16] [--duration 60] [--threads 8]
Add DATABASE_URL=postgres://... to measure on PostgreSQL (the server is started with the same
environment). `--url http://host:port` measures a server that is already running instead.

Each client logs in through the login form (CSRF and session cookies, as a browser does) as one of
the assistants, salespeople and managers in the database (or `--users a,b,c`; password
`--password`, default the demo one), keeps one HTTP/1.1 keep-alive connection, and with no think
time (`--think` adds some) picks by weight:
    order_list   GET /orders/?q=<part of a customer's name or code the user can see>
    customer     GET /customers/<code>/ of a customer the user can see
    order_entry  POST /orders/new/ with what the order form sends; only a redirect to the new
                 order counts (a form shown again with its errors is an error)
    report       GET /reports/sales_detail/ for one month (the latest with postings)
    workbench    GET /
A kind answering anything but its expected status, or a broken connection, is an error; a sample
of each is printed. The client is one asyncio thread, so it takes little of the CPU the server
shares with it; the CPU seconds of both are printed. Percentiles are nearest-rank over the
requests started within the measured window, after `--warmup` seconds that are not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import calendar
import contextlib
import json
import math
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("order_list", "customer", "order_entry", "report", "workbench")
DEFAULT_MIX = "order_list=3,customer=3,order_entry=2,report=1,workbench=2"
ROLES = ("assistant", "salesperson", "manager")
TARGET_P95_MS, TARGET_P99_MS = 150, 400
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_ERROR = re.compile(rb'class="[^"]*(?:invalid-feedback|alert-danger|errorlist)[^"]*"[^>]*>(.*?)</', re.S)


# --- what the clients ask for ------------------------------------------------------------------


@dataclass
class Persona:
    username: str
    customers: list[tuple[str, str]]  # (code, name) the user can see and order for
    searches: list[str]


@dataclass
class Workload:
    personas: list[Persona]
    products: list[str]
    carrier: str
    report_query: str
    mix: dict[str, int]


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.settings")
    import django

    django.setup()


def _searches(customers: list[tuple[str, str]], rng: random.Random) -> list[str]:
    """What an assistant types into the order search: a code, or two characters of a name."""
    terms = []
    for code, name in customers:
        terms.append(code)
        if len(name) >= 2:
            start = rng.randrange(len(name) - 1)
            terms.append(name[start : start + 2])
    return terms


def _report_query() -> str:
    from django.db.models import Max
    from django.utils import timezone

    from salesdesk.warehouse.models import Outbound, OutboundStatus

    latest = Outbound.objects.filter(status=OutboundStatus.POSTED).aggregate(day=Max("posting_date"))["day"]
    day = latest or timezone.localdate()
    last = calendar.monthrange(day.year, day.month)[1]
    return urllib.parse.urlencode({"date_from": day.replace(day=1), "date_to": day.replace(day=last)})


def load_workload(usernames: list[str], mix: dict[str, int]) -> Workload:
    """The users, customers, products and report month, read from the database the server uses."""
    _django_setup()
    from django.contrib.auth.models import User
    from django.db import connections

    from salesdesk.catalog.models import Product
    from salesdesk.catalog.selectors import carriers_selectable
    from salesdesk.core.roles import scope_to_user
    from salesdesk.customers.models import Customer
    from salesdesk.reports.base import REPORTS

    users = User.objects.filter(is_active=True).order_by("username")
    users = users.filter(username__in=usernames) if usernames else users.filter(groups__name__in=ROLES)
    personas = []
    for user in users.distinct():
        if not (
            user.has_perm("customers.change_customer") and user.has_perm(REPORTS["sales_detail"].permission)
        ):
            print(f"load: {user.username} may not enter orders or open the sales detail; left out")
            continue
        visible = scope_to_user(Customer.objects.exclude(status="closed"), user)
        customers = list(visible.order_by("?").values_list("code", "name")[:200])
        if customers:
            personas.append(Persona(user.username, customers, _searches(customers, random.Random(user.pk))))
    if not personas:
        raise SystemExit("load: no user with customers to work on; give --users")
    products = list(Product.objects.filter(active=True).values_list("model_code", flat=True)[:500])
    carrier = carriers_selectable().values_list("pk", flat=True).first()
    report_query = _report_query()
    connections.close_all()  # the server's connections are the ones to measure
    return Workload(personas, products, str(carrier or ""), report_query, mix)


# --- a small HTTP/1.1 client --------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    cookies: dict[str, str]
    body: bytes


class Browser:
    """One keep-alive connection with a cookie jar, as one browser tab would hold."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, form: dict | None = None) -> Response:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        try:
            self.writer.write(self._head(method, path, form))
            await self.writer.drain()
            response = await self._read(method)
        except BaseException:
            await self.close()
            raise
        if response.headers.get("connection", "").lower() == "close":
            await self.close()
        self.cookies.update(response.cookies)
        return response

    def _head(self, method: str, path: str, form: dict | None) -> bytes:
        origin = f"http://{self.host}:{self.port}"
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "User-Agent: salesdesk-load"]
        lines.append("Accept: text/html")
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        body = urllib.parse.urlencode(form or {}, doseq=True).encode() if form is not None else b""
        if form is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
            lines += [f"Origin: {origin}", f"Referer: {origin}{path}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    async def _read(self, method: str) -> Response:
        reader = self.reader
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split()[1])
        headers, cookies = {}, {}
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _sep, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                key, _eq, rest = value.partition("=")
                cookies[key] = rest.split(";", 1)[0]
            headers[name] = value
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            body = b""
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._chunked()
        elif "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        else:
            body = await reader.read()
            headers["connection"] = "close"
        return Response(status, headers, cookies, body)

    async def _chunked(self) -> bytes:
        parts = []
        while size := int((await self.reader.readline()).split(b";")[0], 16):
            parts.append(await self.reader.readexactly(size + 2))
        while (await self.reader.readline()) not in (b"\r\n", b"\n", b""):
            pass  # trailers
        return b"".join(part[:-2] for part in parts)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None


def _csrf(body: bytes) -> str:
    match = CSRF_FIELD.search(body)
    if match is None:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1).decode()


def _form_error(body: bytes) -> str:
    texts = [
        re.sub(rb"<[^>]+>|\s+", b" ", m).decode(errors="replace").strip() for m in FORM_ERROR.findall(body)
    ]
    return "; ".join(t for t in texts if t)[:200] or "the form came back without a message"


# --- one client ----------------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    samples: dict[str, str] = field(default_factory=dict)

    def error(self, kind: str, text: str) -> None:
        self.errors[kind] += 1
        self.samples.setdefault(kind, text)


class Client:
    def __init__(self, number: int, persona: Persona, work: Workload, host: str, port: int, think: float):
        self.persona, self.work, self.think = persona, work, think
        self.browser = Browser(host, port)
        self.random = random.Random(number)
        self.token = ""

    async def log_in(self, password: str) -> None:
        page = await self.browser.request("GET", "/login/")
        form = {"username": self.persona.username, "password": password, "next": ""}
        answer = await self.browser.request(
            "POST", "/login/", {**form, "csrfmiddlewaretoken": _csrf(page.body)}
        )
        if answer.status != 302:
            raise SystemExit(f"load: {self.persona.username} could not log in: {_form_error(answer.body)}")
        # Logging in rotates the CSRF secret: take the token from the order form, as the browser does.
        self.token = _csrf((await self.browser.request("GET", "/orders/new/")).body)

    def _pick(self) -> str:
        kinds = list(self.work.mix)
        return self.random.choices(kinds, weights=[self.work.mix[k] for k in kinds])[0]

    def _order_form(self) -> dict:
        code, _name = self.random.choice(self.persona.customers)
        lines = self.random.sample(
            self.work.products, k=min(len(self.work.products), self.random.randint(1, 3))
        )
        form = {
            "csrfmiddlewaretoken": self.token,
            "customer": code,
            "channel": "phone",
            "salesperson": "",
            "ship_method": "express",
            "carrier": self.work.carrier,
            "collection_method": "account",
            "warehouse_instructions": "",
            "lines-TOTAL_FORMS": str(len(lines)),
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "1",
            "lines-MAX_NUM_FORMS": "200",
            "action": "register" if self.random.random() < 0.8 else "draft",
        }
        for i, product in enumerate(lines):
            form |= {f"lines-{i}-product": product, f"lines-{i}-quantity": str(self.random.randint(1, 20))}
            form |= {f"lines-{i}-unit_price": "", f"lines-{i}-requested_date": "", f"lines-{i}-notes": ""}
        return form

    def _request(self, kind: str) -> tuple[str, str, dict | None, int]:
        """Method, path, form and the status that means it worked."""
        if kind == "order_list":
            query = urllib.parse.urlencode({"q": self.random.choice(self.persona.searches)})
            return "GET", f"/orders/?{query}", None, 200
        if kind == "customer":
            code, _name = self.random.choice(self.persona.customers)
            return "GET", f"/customers/{urllib.parse.quote(code)}/", None, 200
        if kind == "order_entry":
            return "POST", "/orders/new/", self._order_form(), 302  # to the new order's page
        if kind == "report":
            return "GET", f"/reports/sales_detail/?{self.work.report_query}", None, 200
        return "GET", "/", None, 200

    async def run(self, start: float, stop: float, tally: Tally) -> None:
        while time.perf_counter() < stop:
            kind = self._pick()
            method, path, form, expected = self._request(kind)
            began = time.perf_counter()
            try:
                answer = await self.browser.request(method, path, form)
            except (OSError, EOFError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
                problem = f"{method} {path}: {type(exc).__name__}: {exc}"
            else:
                problem = self._check(method, path, answer, expected)
            took = time.perf_counter() - began
            if began >= start:
                tally.latencies[kind].append(took)
                if problem:
                    tally.error(kind, problem)
            if self.think:
                await asyncio.sleep(self.random.expovariate(1 / self.think))

    @staticmethod
    def _check(method: str, path: str, answer: Response, expected: int) -> str:
        location = answer.headers.get("location", "")
        if answer.status == expected and (
            expected != 302 or re.match(r"(https?://[^/]+)?/orders/[^/]+/$", location)
        ):
            return ""
        detail = (
            _form_error(answer.body)
            if answer.status == 200
            else location or answer.body[:120].decode(errors="replace")
        )
        return f"{method} {path[:60]}: {answer.status} {detail}"


# --- the server ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, threads: int | None, workers: int | None, log: Path) -> subprocess.Popen:
    """`salesdesk run` as the README documents it, with the environment this script was given."""
    command = [sys.executable, "-m", "salesdesk.cli", "run", "--host", "127.0.0.1", "--port", str(port)]
    if threads:
        command += ["--threads", str(threads)]
    if workers:
        command += ["--workers", str(workers)]
    server = subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300  # migrations on a fresh database take a while
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"load: the server stopped:\n{log.read_text()[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return server
        time.sleep(0.3)
    server.terminate()
    raise SystemExit("load: the server did not start listening within 5 minutes")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _cpu_seconds(pid: int) -> float | None:
    """The CPU time of the server: its process and, with `--workers`, the processes it forked."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(_cpu_seconds(child) or 0.0 for child in _children(pid))


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


# --- the run ------------------------------------------------------------------------------------


def _percentile(ordered: list[float], p: float) -> float:
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)] if ordered else float("nan")


def print_table(tally: Tally, seconds: float) -> tuple[bool, dict[str, dict]]:
    """The table by kind and in total; whether every kind met the targets, and the figures."""
    heads = ("requests", "errors", "p50 ms", "p95 ms", "p99 ms")
    print(f"\n{'kind':<12} " + " ".join(f"{h:>8}" for h in heads) + f" {'req/s':>7}  target")
    ok_all = True
    figures = {}
    rows = [(kind, tally.latencies[kind], tally.errors[kind]) for kind in KINDS if tally.latencies[kind]]
    every = sorted(t for _k, times, _e in rows for t in times)
    for kind, times, errors in [*rows, ("total", every, sum(tally.errors.values()))]:
        ordered = sorted(times)
        p50, p95, p99 = (_percentile(ordered, p) * 1000 for p in (50, 95, 99))
        ok = errors == 0 and p95 <= TARGET_P95_MS and p99 <= TARGET_P99_MS
        ok_all &= ok or kind == "total"
        figures[kind] = {
            "requests": len(times),
            "errors": errors,
            "p50": round(p50, 1),
            "p95": round(p95, 1),
            "p99": round(p99, 1),
            "per_s": round(len(times) / seconds, 1),
        }
        print(
            f"{kind:<12} {len(times):>8} {errors:>8} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f} "
            f"{len(times) / seconds:>7.1f}  {'ok' if ok else 'MISSED'}"
        )
    for kind, sample in tally.samples.items():
        print(f"  error sample, {kind}: {sample}")
    return ok_all, figures


async def drive(
    work: Workload, args: argparse.Namespace, host: str, port: int, server_pid: int | None
) -> tuple[Tally, float, float | None, float]:
    """The run; with the server's and the client's CPU seconds when the clients had logged in:
    sixteen password checks are not what the run measures."""
    clients = [
        Client(i, work.personas[i % len(work.personas)], work, host, port, args.think)
        for i in range(args.clients)
    ]
    await asyncio.gather(*(c.log_in(args.password) for c in clients))
    server_cpu = _cpu_seconds(server_pid) if server_pid else None
    own_cpu = time.process_time()
    tally = Tally()
    start = time.perf_counter() + args.warmup
    stop = start + args.duration
    await asyncio.gather(*(c.run(start, stop, tally) for c in clients))
    elapsed = time.perf_counter() - start
    await asyncio.gather(*(c.browser.close() for c in clients))
    return tally, elapsed, server_cpu, own_cpu


def _mix(text: str) -> dict[str, int]:
    mix = {}
    for part in text.split(","):
        kind, _eq, weight = part.partition("=")
        if kind.strip() not in KINDS:
            raise SystemExit(f"load: unknown kind {kind!r} in --mix; kinds: {', '.join(KINDS)}")
        mix[kind.strip()] = int(weight or 1)
    return {k: w for k, w in mix.items() if w > 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=5, help="seconds run first and not counted")
    parser.add_argument("--think", type=float, default=0, help="mean pause between a client's requests (s)")
    parser.add_argument(
        "--users", default="", help=f"comma-separated usernames (default: all of {'/'.join(ROLES)})"
    )
    parser.add_argument(
        "--password", default=os.environ.get("SALESDESK_LOAD_PASSWORD", "salesdesk-demo-2026")
    )
    parser.add_argument("--mix", default=DEFAULT_MIX, help=f"weights per kind (default {DEFAULT_MIX})")
    parser.add_argument("--threads", type=int, help="threads for `salesdesk run` (default: its own)")
    parser.add_argument("--workers", type=int, help="processes for `salesdesk run` (default: its own)")
    parser.add_argument("--url", help="an already running server to measure, e.g. http://127.0.0.1:8000")
    parser.add_argument("--json", help="also write the figures to this file, for bench/targets.py")
    args = parser.parse_args()

    database = os.environ.get("DATABASE_URL", "").split("@")[-1] or "SQLite in " + os.environ.get(
        "SALESDESK_DATA_DIR", "the default data dir"
    )
    log = Path(tempfile.mkstemp(prefix="salesdesk-load-", suffix=".log")[1])
    server = None
    if args.url:
        parsed = urllib.parse.urlsplit(args.url)
        host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    else:
        host, port = "127.0.0.1", _free_port()
        server = start_server(port, args.threads, args.workers, log)
    try:
        work = load_workload([u for u in args.users.split(",") if u], _mix(args.mix))
        names = sorted({p.username for p in work.personas})
        print(f"load: {args.clients} clients as {', '.join(names)} on {database}, {args.duration:g} s")
        print(f"load: report query {work.report_query}; mix {work.mix}")
        tally, elapsed, cpu_before, own_before = asyncio.run(
            drive(work, args, host, port, server.pid if server else None)
        )
        server_cpu = _cpu_seconds(server.pid) if server else None
    finally:
        if server is not None:
            stop_server(server)
    # Requests are counted by when they began, within the measured window: the rate is over it,
    # not over the wall time, which runs on while the last pauses end.
    ok, figures = print_table(tally, args.duration)
    client_cpu = time.process_time() - own_before
    server_seconds = server_cpu - cpu_before if server_cpu is not None and cpu_before is not None else None
    cpu = f"server {server_seconds:.1f} s, " if server_seconds is not None else ""
    print(
        f"\nCPU after the logins (warm-up included): {cpu}client {client_cpu:.1f} s; "
        f"wall {elapsed:.1f} s measured"
    )
    queued = log.read_text().count("Task queue depth") if server else 0
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"waitress 'Task queue depth' warnings: {queued}; server log {log if server else '-'}")
    verdict = "met" if ok else "NOT met"
    print(f"targets p95 <= {TARGET_P95_MS} ms, p99 <= {TARGET_P99_MS} ms, 0 errors: {verdict}")
    if args.json:
        summary = {
            "database": "postgresql" if os.environ.get("DATABASE_URL") else "sqlite",
            "clients": args.clients,
            "think": args.think,
            "seconds": args.duration,
            "warmup": args.warmup,
            "workers": args.workers,
            "threads": args.threads,
            "met": ok,
            "kinds": figures,
            "server_cpu_s": None if server_seconds is None else round(server_seconds, 1),
        }
        Path(args.json).write_text(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
