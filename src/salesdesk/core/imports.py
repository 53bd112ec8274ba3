"""Importing a sheet: preview every row's problems first, then write all rows or none.

An app describes one kind of import as an `Importer` (its columns, how a row is checked,
how it is written through the app's services); this module runs the steps, keeps the
uploaded file between preview and commit, and drives the upload → preview → commit page.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from salesdesk.core.errors import DomainError, FieldErrors, NotAllowed
from salesdesk.core.forms import StyledForm
from salesdesk.core.pages import require_perm
from salesdesk.core.spreadsheets import (
    MAX_BYTES,
    CellError,
    Column,
    SheetRow,
    SpreadsheetError,
    cell_display,
    cell_text,
    check_upload,
    read_sheet,
)

UPLOAD_LIFETIME_SECONDS = 24 * 60 * 60
PREVIEW_OK_ROWS_SHOWN = 100


@dataclass(frozen=True)
class Problem:
    row: int
    column: str | None  # the column's header as the file names it (Chinese)
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("Row %(row)s, %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class PreviewRow:
    number: int
    cells: list[str]
    problems: list[Problem] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Preview:
    columns: list[Column]
    ignored_headers: list[str]
    rows: list[PreviewRow]

    @property
    def problem_count(self) -> int:
        return sum(1 for row in self.rows if row.problems)

    @property
    def ok_count(self) -> int:
        return len(self.rows) - self.problem_count

    @property
    def problems(self) -> list[Problem]:
        return [p for row in self.rows for p in row.problems]

    @property
    def can_commit(self) -> bool:
        return bool(self.rows) and not self.problem_count

    @property
    def shown_rows(self) -> list[PreviewRow]:
        """Every row with a problem, and enough good rows to see the file was read right."""
        ok = [r for r in self.rows if not r.problems][:PREVIEW_OK_ROWS_SHOWN]
        return sorted([r for r in self.rows if r.problems] + ok, key=lambda r: r.number)

    @property
    def hidden_count(self) -> int:
        return len(self.rows) - len(self.shown_rows)


class ImportRefused(DomainError):
    """At least one row has a problem, so nothing was written."""

    def __init__(self, preview: Preview):
        super().__init__(_("Nothing was imported: correct the rows marked below and upload again."))
        self.preview = preview


class RowCheck:
    """Collects one row's problems under the column each belongs to."""

    def __init__(self, importer: Importer, row: SheetRow):
        self.importer = importer
        self.row = row
        self.problems: list[Problem] = []
        self.failed_fields: set[str] = set()

    def has(self, field_name: str) -> bool:
        """Whether the file has this column at all (absent columns leave values alone)."""
        return field_name in self.row.values

    def value(self, field_name: str, parse: Callable[..., Any] = cell_text, *args: Any) -> Any:
        try:
            return parse(self.row.values.get(field_name), *args)
        except CellError as exc:
            self.add(field_name, str(exc))
            return None

    def require(self, field_name: str, value: Any) -> Any:
        if value in (None, "") and not self.failed(field_name):
            self.add(field_name, _("must be filled in"))
        return value

    def failed(self, field_name: str) -> bool:
        return field_name in self.failed_fields

    def add(self, field_name: str | None, message: Any) -> None:
        if field_name:
            self.failed_fields.add(field_name)
        self.problems.append(Problem(self.row.number, self.importer.header_for(field_name), str(message)))

    def add_error(self, exc: ValidationError | DomainError) -> None:
        """A model's or a service's refusal, put under the columns it names."""
        if isinstance(exc, ValidationError):
            errors = exc.message_dict if hasattr(exc, "message_dict") else {"__all__": exc.messages}
        elif isinstance(exc, FieldErrors):
            errors = exc.errors
        else:
            errors = {exc.field or "__all__": [exc.message]}
        for name, messages_ in errors.items():
            for message in messages_:
                self.add(None if name == "__all__" else name, message)


class Importer:
    """One kind of import. Subclasses fill in the class attributes, `check` and `write`."""

    kind: ClassVar[str]
    permission: ClassVar[str]
    columns: ClassVar[list[Column]]
    # Field names a model or service reports, mapped to the column that holds the value.
    error_fields: ClassVar[dict[str, str]] = {}

    def __init__(self, *, user):
        self.user = user

    def header_for(self, field_name: str | None) -> str | None:
        if field_name is None:
            return None
        field_name = self.error_fields.get(field_name, field_name)
        return next((c.header for c in self.columns if c.field == field_name), None)

    def prepare(self, rows: list[SheetRow]) -> None:
        """Look up what the rows refer to in a few queries, before checking them one by one."""

    def check(self, row: RowCheck) -> dict[str, Any]:
        """The row's values ready for `write`; problems go on `row`. Must not write."""
        raise NotImplementedError

    def write(self, data: dict[str, Any]) -> None:
        raise NotImplementedError


def preview_import(importer: Importer, source) -> Preview:
    """Every row checked, nothing written."""
    if not importer.user.has_perm(importer.permission):
        raise NotAllowed(_("You may not import this list."))
    sheet = read_sheet(source, importer.columns)
    importer.prepare(sheet.rows)
    rows = []
    for sheet_row in sheet.rows:
        check = RowCheck(importer, sheet_row)
        data = importer.check(check)
        cells = [cell_display(sheet_row.values.get(c.field)) for c in sheet.columns]
        rows.append(PreviewRow(sheet_row.number, cells, check.problems, data))
    return Preview(sheet.columns, sheet.ignored_headers, rows)


def commit_import(importer: Importer, source) -> int:
    """Check every row again, then write them all in one transaction, or none of them."""
    preview = preview_import(importer, source)
    if not preview.can_commit:
        raise ImportRefused(preview)
    with transaction.atomic():
        for row in preview.rows:
            check = RowCheck(importer, SheetRow(row.number, {}))
            try:
                # A savepoint per row, so one refusal still lets the rest report theirs.
                with transaction.atomic():
                    importer.write(row.data)
            except DomainError as exc:
                check.add_error(exc)
            except IntegrityError:
                check.add(None, _("clashes with a record saved meanwhile; upload the file again"))
            row.problems.extend(check.problems)
        if preview.problem_count:
            raise ImportRefused(preview)  # leaving the block rolls every row back
    return len(preview.rows)


# --- the uploaded file between preview and commit -------------------------------------


def _upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_keep(upload, *, user, kind: str) -> str:
    """Store an uploaded file for its owner; the returned id names it in the commit step."""
    check_upload(upload.name, upload.size)
    _forget_stale_uploads()
    token = str(uuid.uuid4())
    target = _upload_dir() / f"{token}.xlsx"
    written = 0
    with target.open("wb") as out:
        for chunk in upload.chunks():
            written += len(chunk)
            if written > MAX_BYTES:  # the declared size may lie
                out.close()
                target.unlink(missing_ok=True)
                check_upload(upload.name, written)
            out.write(chunk)
    meta = {"owner": user.pk, "kind": kind, "name": upload.name}
    (_upload_dir() / f"{token}.json").write_text(json.dumps(meta))
    return token


def upload_path(token: str, *, user, kind: str) -> Path:
    """The stored file, only for the user who uploaded it and the import it was meant for."""
    try:
        token = str(uuid.UUID(str(token)))
    except ValueError as exc:
        raise Http404 from exc
    meta_file = _upload_dir() / f"{token}.json"
    path = _upload_dir() / f"{token}.xlsx"
    if not meta_file.exists() or not path.exists():
        raise Http404
    meta = json.loads(meta_file.read_text())
    if meta.get("owner") != user.pk or meta.get("kind") != kind:
        raise Http404
    return path


def upload_discard(token: str) -> None:
    token = str(uuid.UUID(str(token)))
    for suffix in (".xlsx", ".json"):
        (_upload_dir() / f"{token}{suffix}").unlink(missing_ok=True)


def _forget_stale_uploads() -> None:
    # Previews that were never committed would otherwise pile up.
    cutoff = time.time() - UPLOAD_LIFETIME_SECONDS
    for path in _upload_dir().iterdir():
        if path.suffix in {".xlsx", ".json"} and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


# --- the page -------------------------------------------------------------------------


class UploadForm(StyledForm, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class ConfirmForm(forms.Form):
    upload = forms.UUIDField(widget=forms.HiddenInput)


def import_page(
    request: HttpRequest, importer: Importer, *, template: str, done_url: str, context: dict | None = None
) -> HttpResponse:
    """Upload → preview (nothing written) → commit (all rows or none) → back to the list."""
    require_perm(request, importer.permission)
    context = {**(context or {}), "importer": importer, "done_url": done_url}
    if request.method != "POST":
        return render(request, template, {**context, "form": UploadForm()})
    if "upload" in request.POST:
        return _commit_step(request, importer, template, context)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, template, {**context, "form": form})
    token = None
    try:
        token = upload_keep(form.cleaned_data["file"], user=request.user, kind=importer.kind)
        preview = preview_import(importer, upload_path(token, user=request.user, kind=importer.kind))
    except SpreadsheetError as exc:
        if token:
            upload_discard(token)
        form.add_error("file", str(exc.message))
        return render(request, template, {**context, "form": form})
    context.update(preview=preview, form=UploadForm())
    if preview.can_commit:
        context["confirm"] = ConfirmForm(initial={"upload": token})
    else:
        upload_discard(token)  # nothing can be committed from this file; a fixed one comes next
    return render(request, template, context)


def _commit_step(request: HttpRequest, importer: Importer, template: str, context: dict) -> HttpResponse:
    confirm = ConfirmForm(request.POST)
    if not confirm.is_valid():
        raise Http404
    token = str(confirm.cleaned_data["upload"])
    path = upload_path(token, user=request.user, kind=importer.kind)
    try:
        count = commit_import(importer, path)
    except (ImportRefused, SpreadsheetError) as exc:
        upload_discard(token)
        messages.error(request, str(exc.message))
        preview = getattr(exc, "preview", None)
        return render(request, template, {**context, "preview": preview, "form": UploadForm()})
    upload_discard(token)
    messages.success(request, ngettext("%(n)d row imported.", "%(n)d rows imported.", count) % {"n": count})
    return redirect(context["done_url"])
