"""The `salesdesk` command: run, demo, createuser, backup, restore, and Django's own commands."""

from __future__ import annotations

import argparse
import os
import socket
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.settings")
    import django

    django.setup()


def cmd_run(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if args.demo:
        cmd_demo(args)
    from salesdesk.wsgi import application

    print(f"salesdesk: serving on http://{args.host}:{args.port}/  (Ctrl+C stops)", flush=True)
    if args.workers > 1:
        _serve_in_processes(application, args)
        return
    from waitress import serve

    serve(application, host=args.host, port=args.port, threads=args.threads, ident="salesdesk")


def _serve_in_processes(application, args: argparse.Namespace) -> None:
    """Several server processes (gunicorn), each with its threads: one Python process runs on one
    core at a time, so a machine with more cores serves more requests at once with more of them."""
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    # The migration's connections must not be shared by the processes forked from this one.
    connections.close_all()
    # With a socket per process a port in use is shared, not refused: refuse it here.
    _refuse_a_port_in_use(args.host, args.port)

    class Server(BaseApplication):
        def load_config(self) -> None:
            options = {
                "bind": f"{args.host}:{args.port}",
                "workers": args.workers,
                "worker_class": "gthread",
                "threads": args.threads,
                "proc_name": "salesdesk",
                # An idle browser's connection stays open as long as waitress keeps it (120 s):
                # closed after gunicorn's default 2 s, the next click would find it gone.
                "keepalive": 120,
                # Each process listens on a socket of its own and the kernel spreads the
                # connections over them. Sharing one socket, the process that won the race to
                # accept took nearly all of them: 15 of 16 browsers' kept-alive connections, the
                # other process idle beside it (docs/decisions.md).
                "reuse_port": True,
                "accesslog": None,
                "errorlog": "-",
            }
            if "control_socket_disable" in self.cfg.settings:
                # Newer gunicorn opens a control socket in the home directory; salesdesk uses none.
                options["control_socket_disable"] = True
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return application

    Server().run()


def _refuse_a_port_in_use(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.create_server((host, port), family=family):
            pass
    except OSError as error:
        print(f"salesdesk: cannot serve on {host}:{port}: {error.strerror or error}", file=sys.stderr)
        sys.exit(1)


def cmd_demo(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    from salesdesk.demo import demo_is_needed, load_demo

    call_command("migrate", interactive=False, verbosity=0)
    if not demo_is_needed():
        print("salesdesk: the database already has data; demo not loaded.")
        return
    logins = load_demo()
    print("salesdesk: demo company loaded. Logins (username / password / role):")
    for username, password, role in logins:
        print(f"  {username:<12} {password}   {role}")


def cmd_gendata(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    from salesdesk.demo import demo_is_needed
    from salesdesk.gendata import generate

    call_command("migrate", interactive=False, verbosity=0)
    if not demo_is_needed():
        print("salesdesk: the database already has data; generate into an empty one.")
        sys.exit(1)
    company = generate(
        scale=args.scale, seed=args.seed, months=args.months, via=args.via, progress=lambda m: print(f"  {m}")
    )
    print("salesdesk: generated. Logins (password salesdesk-demo-2026):")
    print("  " + ", ".join(f"{name} ({role})" for name, role in company.users()))


def cmd_createuser(args: argparse.Namespace) -> None:
    import getpass

    from salesdesk.core.services import user_create

    password = args.password or getpass.getpass("Password (12+ characters): ")
    user = user_create(
        username=args.username, password=password, role=args.role, display_name=args.name or ""
    )
    print(f"salesdesk: user {user.username} created with role {args.role}.")


def cmd_backup(args: argparse.Namespace) -> None:
    from salesdesk.core.backup import backup

    path = backup(args.path)
    print(f"salesdesk: backup written to {path}")


def cmd_restore(args: argparse.Namespace) -> None:
    from salesdesk.core.backup import restore

    restore(args.path)
    print(f"salesdesk: restored from {args.path}")


def cmd_import(args: argparse.Namespace) -> None:
    """Preview a sheet (exit 1 when a row has a problem); with --commit, write all rows or none."""
    from django.contrib.auth.models import User

    from salesdesk.catalog.imports import PriceImport, ProductImport
    from salesdesk.core.errors import DomainError
    from salesdesk.core.imports import ImportRefused, commit_import, preview_import
    from salesdesk.customers.imports import CustomerImport

    kinds = {"customers": CustomerImport, "products": ProductImport, "prices": PriceImport}
    user = User.objects.filter(username=args.as_user, is_active=True).first()
    if user is None:
        raise SystemExit(f"salesdesk: no active user {args.as_user}")
    importer = kinds[args.kind](user=user)
    try:
        if args.commit:
            count = commit_import(importer, args.file)
            print(f"salesdesk: rows imported: {count}.")
            return
        preview = preview_import(importer, args.file)
    except ImportRefused as exc:
        preview = exc.preview
    except DomainError as exc:
        raise SystemExit(f"salesdesk: {exc.message}") from exc
    for problem in preview.problems:
        print(problem)
    print(f"salesdesk: rows ok: {preview.ok_count}; rows with problems: {preview.problem_count}.")
    if preview.problem_count or args.commit:
        raise SystemExit(1)


def cmd_check_books() -> None:
    from salesdesk.integrity import CHECKS, check_books

    problems = check_books()
    if problems:
        for problem in problems:
            print(f"salesdesk: {problem}")
        print(f"salesdesk: the books do not hold: {len(problems)} problem(s).")
        sys.exit(1)
    print(f"salesdesk: the books hold: {', '.join(CHECKS)}.")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="salesdesk", description="业务助理工作台 salesdesk")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="migrate, then serve with a production WSGI server")
    run.add_argument("--demo", action="store_true", help="fill an empty database with a demo company")
    run.add_argument("--host", default=os.environ.get("SALESDESK_HOST", "127.0.0.1"))
    run.add_argument("--port", type=int, default=int(os.environ.get("SALESDESK_PORT", "8000")))
    run.add_argument("--threads", type=int, default=8, help="threads per process")
    run.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("SALESDESK_WORKERS", "1")),
        help="server processes; more than 1 on a machine with several cores (gunicorn, not on Windows)",
    )
    sub.add_parser("demo", help="fill an empty database with a demo company")
    gd = sub.add_parser(
        "gendata", help="fill an empty database with years of generated business, to measure speed"
    )
    gd.add_argument("--scale", type=float, default=1.0, help="1 = 2,000 customers and 200,000 orders")
    gd.add_argument("--seed", type=int, default=2026)
    gd.add_argument("--months", type=int, default=36)
    gd.add_argument(
        "--via", choices=["bulk", "services"], default="bulk", help="how the documents are written"
    )
    cu = sub.add_parser("createuser", help="create a user with a role")
    cu.add_argument("username")
    cu.add_argument(
        "--role", required=True, choices=["assistant", "salesperson", "warehouse", "finance", "manager"]
    )
    cu.add_argument("--name", help="display name, e.g. 李敏")
    cu.add_argument("--password", help="omit to be asked")
    bk = sub.add_parser("backup", help="a consistent copy of the database, also while serving")
    bk.add_argument("path")
    rs = sub.add_parser("restore", help="replace the database with a backup (stop the server first)")
    rs.add_argument("path")
    im = sub.add_parser("import", help="check a .xlsx sheet, and with --commit import all its rows or none")
    im.add_argument("kind", choices=["customers", "products", "prices"])
    im.add_argument("file", help="the .xlsx file")
    im.add_argument(
        "--as", dest="as_user", required=True, metavar="USERNAME", help="whose rights and scope apply"
    )
    im.add_argument("--commit", action="store_true", help="write the rows (all or none)")

    known = {
        "run": cmd_run,
        "demo": cmd_demo,
        "gendata": cmd_gendata,
        "createuser": cmd_createuser,
        "backup": cmd_backup,
        "restore": cmd_restore,
        "import": cmd_import,
    }
    if not argv or argv[0] in {"-h", "--help"}:
        parser.print_help()
        print("\nAny other command is passed to Django's manage.py (e.g. `salesdesk migrate`).")
        return
    _setup()
    from django.core.management import execute_from_command_line

    if argv[0] == "check":
        # Django's system checks with whatever options were given, then the books themselves.
        execute_from_command_line(["salesdesk", *argv])
        cmd_check_books()
        return
    if argv[0] in known:
        args = parser.parse_args(argv)
        known[argv[0]](args)
        return
    execute_from_command_line(["salesdesk", *argv])


if __name__ == "__main__":
    main()
