"""Consistent backups while the server runs, and restoring them.

SQLite: the online backup API copies a consistent snapshot page by page while writers
go on. PostgreSQL: pg_dump in custom format (one consistent snapshot), pg_restore back.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings


def _is_sqlite() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        PGHOST=str(db.get("HOST") or ""),
        PGPORT=str(db.get("PORT") or ""),
        PGUSER=str(db.get("USER") or ""),
        PGPASSWORD=str(db.get("PASSWORD") or ""),
        PGDATABASE=str(db["NAME"]),
    )
    return {k: v for k, v in env.items() if v != ""}


def backup(path: str | Path) -> Path:
    target = Path(path).expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    if _is_sqlite():
        source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        dest = sqlite3.connect(target)
        try:
            with dest:
                source.backup(dest)
            if dest.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise RuntimeError("the backup copy failed its integrity check")
        finally:
            dest.close()
            source.close()
    else:
        subprocess.run(["pg_dump", "--format=custom", "--file", str(target)], env=_pg_env(), check=True)  # noqa: S603,S607
    return target


def restore(path: str | Path) -> None:
    source = Path(path).expanduser().resolve()
    if not source.exists():
        raise FileNotFoundError(source)
    if _is_sqlite():
        check = sqlite3.connect(source)
        try:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise RuntimeError("the backup file failed its integrity check; nothing restored")
        finally:
            check.close()
        db_path = Path(settings.DATABASES["default"]["NAME"])
        for suffix in ("-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
        tmp = db_path.with_suffix(".restoring")
        shutil.copyfile(source, tmp)
        os.replace(tmp, db_path)  # atomic: the old file or the new, never half
    else:
        subprocess.run(  # noqa: S603
            [  # noqa: S607
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                _pg_env()["PGDATABASE"],
                str(source),
            ],
            env=_pg_env(),
            check=True,
        )
