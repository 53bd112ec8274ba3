"""Every target of docs/performance.md, one run of each benchmark, and the table that file shows.

Run by hand (not by pytest), on databases that `salesdesk gendata` filled (scale 1, and 0.1 and
0.3 for the AR page at three sizes):
    python bench/targets.py --sqlite /srv/bench-s1 --sqlite-small /srv/bench-s01 /srv/bench-s03 \\
        --postgres postgres://salesdesk:…@127.0.0.1:5432/bench_s1 \\
        --postgres-small postgres://…/bench_s01 postgres://…/bench_s03 --work /srv/bench-targets
Leave out --postgres (or --sqlite) to measure one engine; `--only load` and friends run a part.

First `salesdesk gendata --scale 1` is timed into an empty database of its own, which is removed
afterwards (about eight minutes an engine; `--only` without `gendata` leaves it out). Then each
benchmark runs in a process of its own, one after another, with its database in the
environment as the benchmark's own docstring says. The ones that write (order to cash, the load
runs) get a fresh copy each: a copied data directory, or on PostgreSQL `CREATE DATABASE … TEMPLATE
… STRATEGY FILE_COPY` and then a `CHECKPOINT` where the role may run one, so that no copy's pages
are flushed during the measurement; the copy is dropped afterwards. The others read the databases
given. What each benchmark prints is kept in `<work>/<step>.log`, its figures in
`<work>/<step>.json`; the table goes to standard output and to `<work>/targets.md`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PARTS = ("gendata", "o2c", "reports", "ar_page", "load", "export", "query_counts")


@dataclass
class Engine:
    name: str  # "sqlite" or "postgresql"
    scale_1: str  # a data directory, or a database URL
    smaller: list[str] = field(default_factory=list)  # scale 0.1 and 0.3, for the AR page

    @property
    def label(self) -> str:
        return "SQLite" if self.name == "sqlite" else "PostgreSQL"

    def env(self, where: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SALESDESK_DATA_DIR"}}
        env.pop("SALESDESK_DEBUG", None)  # the benchmarks measure the production settings
        if self.name == "sqlite":
            env["SALESDESK_DATA_DIR"] = where
        else:
            env["DATABASE_URL"] = where
        return env


# --- scratch databases ---------------------------------------------------------------------------


@contextmanager
def scratch(engine: Engine, work: Path, step: str, *, copy: bool) -> Iterator[str]:
    """A database of the step's own, removed afterwards: a copy of the scale-1 one (`copy`), or
    empty. Yields a data directory (SQLite) or a URL (PostgreSQL)."""
    if engine.name == "sqlite":
        target = work / f"scratch-{step}"
        shutil.rmtree(target, ignore_errors=True)
        if copy:
            shutil.copytree(engine.scale_1, target)
        try:
            yield str(target)
        finally:
            shutil.rmtree(target, ignore_errors=True)
        return
    url = urllib.parse.urlsplit(engine.scale_1)
    name = f"bench_scratch_{step.replace('-', '_')}"
    template = f' TEMPLATE "{url.path.lstrip("/")}" STRATEGY FILE_COPY' if copy else ""
    _admin(engine.scale_1, f'DROP DATABASE IF EXISTS "{name}"')
    _admin(engine.scale_1, f'CREATE DATABASE "{name}"{template}')
    if copy:
        try:
            _admin(engine.scale_1, "CHECKPOINT")
        except Exception as error:  # noqa: BLE001 -- a role without pg_checkpoint measures anyway
            print(f"targets: no CHECKPOINT after the copy ({error}); its pages may be flushed during the run")
    try:
        yield urllib.parse.urlunsplit(url._replace(path=f"/{name}"))
    finally:
        _admin(engine.scale_1, f'DROP DATABASE IF EXISTS "{name}"')


def _admin(url: str, statement: str) -> None:
    import psycopg

    maintenance = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(statement)


# --- running one benchmark -----------------------------------------------------------------------


def _logged(step: str, command: list[str], env: dict[str, str], work: Path, shown: str = ""):
    """Run `command` with its output in `<work>/<step>.log`; its exit code, resource usage and
    wall time in seconds."""
    started = time.perf_counter()
    print(f"targets: {step}: {shown or ' '.join(command[1:])}", flush=True)
    with (work / f"{step}.log").open("w") as log:
        child = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=BENCH.parent)
        _pid, status, usage = os.wait4(child.pid, 0)
    code, seconds = os.waitstatus_to_exitcode(status), time.perf_counter() - started
    print(f"targets: {step}: exit {code}, {seconds:.0f} s", flush=True)
    return code, usage, seconds


def _run(step: str, command: list[str], env: dict[str, str], work: Path) -> dict | None:
    out = work / f"{step}.json"
    out.unlink(missing_ok=True)
    code, _usage, _seconds = _logged(step, [sys.executable, *command, "--json", str(out)], env, work)
    return json.loads(out.read_text()) if code == 0 and out.exists() else None


def _run_tests(step: str, env: dict[str, str], work: Path) -> dict:
    """The query-count tests: counts, not timings, so they run in the test suite too."""
    env = {**env, "SALESDESK_DATA_DIR": str(work / f"data-{step}")}
    tests = sorted(str(p) for p in (BENCH.parent / "tests" / "access").glob("test_query_counts*.py"))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests]
    code, _usage, _seconds = _logged(step, command, env, work, shown=f"pytest {len(tests)} files")
    tail = (work / f"{step}.log").read_text().strip().splitlines()[-1:]
    return {"passed": code == 0, "summary": tail[0].strip("= ") if tail else ""}


def _generate(engine: Engine, work: Path, scale: str) -> dict | None:
    """`salesdesk gendata --scale 1` (or `scale`) into an empty database of its own, timed, with the
    peak memory and CPU of its process; the other steps use the databases given."""
    step = f"gendata-{engine.name}"
    with scratch(engine, work, step, copy=False) as where:
        command = [
            sys.executable,
            "-c",
            "from salesdesk.cli import main; main()",
            "gendata",
            "--scale",
            scale,
        ]
        code, usage, seconds = _logged(
            step, command, engine.env(where), work, shown=f"salesdesk gendata --scale {scale}"
        )
        if code != 0:
            return None
        figures = {
            "seconds": round(seconds),
            "peak_mb": round(usage.ru_maxrss / 1024),  # kilobytes on Linux
            "cpu_s": round(usage.ru_utime + usage.ru_stime),
            **_database_size(engine, where),
        }
    (work / f"{step}.json").write_text(json.dumps(figures, indent=1))
    return figures


def _database_size(engine: Engine, where: str) -> dict:
    count = "SELECT (SELECT COUNT(*) FROM orders_salesorder), (SELECT COUNT(*) FROM orders_orderline)"
    if engine.name == "sqlite":
        path = Path(where) / "salesdesk.sqlite3"
        with sqlite3.connect(path) as db:
            orders, lines = db.execute(count).fetchone()
        size = sum(f.stat().st_size for f in path.parent.glob("salesdesk.sqlite3*"))
    else:
        import psycopg

        with psycopg.connect(where) as db:
            orders, lines = db.execute(count).fetchone()
            size = db.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return {"orders": orders, "lines": lines, "size_mb": round(size / 1e6)}


def measure(engine: Engine, args: argparse.Namespace, work: Path) -> dict:
    parts = set(args.only)
    figures: dict = {}
    if "gendata" in parts:
        figures["gendata"] = _generate(engine, work, args.gendata_scale)
    scale_1_env = engine.env(engine.scale_1)
    if "o2c" in parts:
        step = f"o2c-{engine.name}"
        with scratch(engine, work, step, copy=True) as copy:
            command = [str(BENCH / "order_to_cash.py"), "--orders", str(args.orders)]
            figures["o2c"] = _run(step, command, engine.env(copy), work)
    if "reports" in parts:
        command = [str(BENCH / "reports_vs_sql.py")]
        figures["reports"] = _run(f"reports-{engine.name}", command, scale_1_env, work)
    if "ar_page" in parts:
        pages = []
        for i, where in enumerate(engine.smaller):
            command = [str(BENCH / "reports_vs_sql.py"), "--only"]
            pages.append(_run(f"ar-page-{engine.name}-{i}", command, engine.env(where), work))
        figures["ar_page_smaller"] = pages
    if "load" in parts:
        for name, extra in (("think", ["--think", "2"]), ("no-pause", ["--workers", "2", "--threads", "4"])):
            step = f"load-{name}-{engine.name}"
            with scratch(engine, work, step, copy=True) as copy:
                command = [
                    str(BENCH / "load.py"),
                    "--clients",
                    "16",
                    "--duration",
                    str(args.load_seconds),
                    *extra,
                ]
                # The password goes by the environment, so that the command shown and logged has none.
                env = {**engine.env(copy), "SALESDESK_LOAD_PASSWORD": args.password}
                figures[f"load_{name.replace('-', '_')}"] = _run(step, command, env, work)
    if "export" in parts:
        figures["export"] = _run(
            f"export-{engine.name}", [str(BENCH / "export_memory.py")], scale_1_env, work
        )
    if "query_counts" in parts:
        figures["query_counts"] = _run_tests(f"query-counts-{engine.name}", scale_1_env, work)
    return figures


# --- the table -----------------------------------------------------------------------------------

REPORT_NAMES = {
    "ar_aging": "aging",
    "summary": "summary",
    "ar_detail": "AR detail",
    "sales_detail": "sales detail",
}
O2C_TARGET = {"sqlite": 150, "postgresql": 100}


Cell = tuple[str, bool]  # what the table shows, and whether the target was met


def _gendata(run: dict, engine: Engine) -> Cell:
    minutes, seconds = divmod(run["seconds"], 60)
    text = (
        f"{minutes} min {seconds:02d} s, peak {run['peak_mb']} MB; {run['orders']:,} orders, "
        f"{run['lines']:,} lines, {run['size_mb']:,} MB"
    )
    return text, run["seconds"] < 600


def _o2c(run: dict, engine: Engine) -> Cell:
    text = f"{run['orders_per_s']:.1f} orders/s, {run['queries_per_order']:.0f} queries an order"
    if "statements_ms" in run:  # the database's own share: what no Python could go below
        floor = run["statements_ms"] + run["commits_ms"]
        text += f"; {floor:.1f} ms of it in the database (at most {1000 / floor:.0f}/s)"
    return text, run["orders_per_s"] >= O2C_TARGET[engine.name]


def _reports(run: dict, engine: Engine) -> Cell:
    ratios = run["reports"]
    text = ", ".join(f"{REPORT_NAMES[n]} {r['ratio']:.2f}×" for n, r in ratios.items())
    return f"{run['month']}: {text}", all(r["ratio"] <= 1.5 for r in ratios.values())


def _ar_page(runs: list[dict], engine: Engine) -> Cell:
    pages = [run["ar_page"] for run in runs]
    median = " / ".join(f"{p['median']['page_ms']:.0f}" for p in pages)
    busiest = " / ".join(f"{p['busiest']['page_ms']:.0f}" for p in pages)
    sizes = " / ".join(f"{run['outbounds']:,}" for run in runs)
    worst = max(p[k]["page_ms"] for p in pages for k in ("median", "busiest"))
    return f"median customer {median} ms, the busiest {busiest} ms (outbounds {sizes})", worst < 50


def _load(run: dict, engine: Engine) -> Cell:
    kinds = {k: v for k, v in run["kinds"].items() if k != "total"}
    p95 = max(kinds, key=lambda k: kinds[k]["p95"])
    p99 = max(kinds, key=lambda k: kinds[k]["p99"])
    total = run["kinds"]["total"]
    errors = sum(v["errors"] for v in kinds.values())
    # The server's CPU is counted over the warm-up too, and so are the requests it served then.
    cpu, served = run.get("server_cpu_s"), total["per_s"] * (run["seconds"] + run["warmup"])
    text = (
        f"p95 at most {kinds[p95]['p95']:.0f} ms ({p95.replace('_', ' ')}), "
        f"p99 at most {kinds[p99]['p99']:.0f} ms ({p99.replace('_', ' ')}), {errors} errors; "
        f"{total['per_s']:.1f} requests/s"
        + (f", server CPU {cpu / served * 1000:.0f} ms a request" if cpu else "")
    )
    return text, run["met"]


def _export(run: dict, engine: Engine) -> Cell:
    grew = run["peak_mb"] - run["rss_before_mb"]
    text = (
        f"{run['lines']:,} lines: peak {run['peak_mb']} MB (+{grew}), "
        f"first byte {run['first_byte_s']:.1f} s, last {run['seconds']:.1f} s"
    )
    return text, run["peak_mb"] <= 250 and run["first_byte_s"] < 1


def _query_counts(run: dict, engine: Engine) -> Cell:
    return run["summary"], run["passed"]


def cells(engine: Engine, figures: dict) -> dict[str, Cell]:
    """Each target measured on this engine, as its cell of the table; a run that failed says so."""
    if "reports" in figures or "ar_page_smaller" in figures:
        scale_1 = [figures["reports"]] if "reports" in figures else []
        figures = {**figures, "ar_page": [*figures.get("ar_page_smaller", []), *scale_1]}
    show = {
        "gendata": _gendata,
        "o2c": _o2c,
        "reports": _reports,
        "ar_page": _ar_page,
        "load_think": _load,
        "load_no_pause": _load,
        "export": _export,
        "query_counts": _query_counts,
    }
    found = {}
    for key, cell in show.items():
        if key not in figures:
            continue
        run = figures[key]
        if run == []:
            continue  # the AR page at no scale
        ran = all(run) if isinstance(run, list) else bool(run)
        found[key] = cell(run, engine) if ran else ("failed to run", False)
    return found


ROWS = [
    ("gendata", "scale 1 generated in under 10 minutes, bounded memory"),
    ("o2c", "order to cash ≥ 150/s (SQLite), ≥ 100/s (PostgreSQL)"),
    ("reports", "reports within 1.5× of hand SQL"),
    ("ar_page", "one customer's AR page < 50 ms, scale 0.1 / 0.3 / 1"),
    ("load_think", "16 clients pausing 2 s: p95 ≤ 150 ms, p99 ≤ 400 ms, 0 errors"),
    ("load_no_pause", "the same without pauses (2 processes × 4 threads)"),
    ("export", "600,000 lines exported ≤ 250 MB, streamed"),
    ("query_counts", "query counts constant as rows grow"),
]


def table(measured: list[tuple[Engine, dict]]) -> str:
    by_engine = [(engine, cells(engine, figures)) for engine, figures in measured]
    heads = ["target", *(engine.label for engine, _c in by_engine), "met"]
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for key, title in ROWS:
        found = [c.get(key) for _e, c in by_engine]
        if not any(found):
            continue
        verdicts = [f[1] for f in found if f]
        missed = [e.label for (e, _c), f in zip(by_engine, found, strict=True) if f and f[1] is False]
        met = "**yes**" if all(verdicts) else f"no ({', '.join(missed)})"
        lines.append("| " + " | ".join([title, *(f[0] if f else "—" for f in found), met]) + " |")
    return "\n".join(lines)


def _machine(postgres: str | None) -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=BENCH.parent
    ).stdout.strip()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    return (
        f"{dt.datetime.now():%Y-%m-%d %H:%M}, commit {commit or '?'}; {os.cpu_count()} cores ({cpu}); "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
        + (f", PostgreSQL {_server_version(postgres)}" if postgres else "")
        + "; "
        f"load average at the start {os.getloadavg()[0]:.1f}"
    )


def _server_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0].split()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", help="a data directory with a scale-1 database")
    parser.add_argument("--sqlite-small", nargs="*", default=[], help="data directories at scale 0.1 and 0.3")
    parser.add_argument("--postgres", help="URL of a scale-1 database (copies are made from it)")
    parser.add_argument("--postgres-small", nargs="*", default=[], help="URLs at scale 0.1 and 0.3")
    parser.add_argument("--work", required=True, help="a directory for the copies, logs and figures")
    parser.add_argument("--only", nargs="*", choices=PARTS, default=list(PARTS))
    parser.add_argument("--orders", type=int, default=300, help="orders to cash (default 300)")
    parser.add_argument("--gendata-scale", default="1", help="the scale timed (default 1, the target's)")
    parser.add_argument("--load-seconds", type=float, default=60, help="each load run (default 60)")
    parser.add_argument(
        "--password", default=os.environ.get("SALESDESK_LOAD_PASSWORD", "salesdesk-demo-2026")
    )
    args = parser.parse_args()
    engines = [
        *([Engine("sqlite", args.sqlite, args.sqlite_small)] if args.sqlite else []),
        *([Engine("postgresql", args.postgres, args.postgres_small)] if args.postgres else []),
    ]
    if not engines:
        raise SystemExit("targets: give --sqlite, --postgres or both")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    header = _machine(args.postgres)
    measured = [(engine, measure(engine, args, work)) for engine in engines]
    (work / "figures.json").write_text(json.dumps({e.name: f for e, f in measured}, indent=1))
    text = f"{header}\n\n{table(measured)}\n"
    (work / "targets.md").write_text(text)
    print()
    print(text)


if __name__ == "__main__":
    main()
