"""Spreadsheets built in memory, and a data directory of their own for uploaded files."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from salesdesk.catalog import services as catalog_services
from salesdesk.customers import services as customer_services


def xlsx(rows: Sequence[Sequence]) -> bytes:
    """An .xlsx file whose first sheet holds `rows` (the first one being the headers)."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_file(tmp_path, rows: Sequence[Sequence], name: str = "sheet.xlsx"):
    path = tmp_path / name
    path.write_bytes(xlsx(rows))
    return path


def read_download(response) -> list[tuple]:
    """The rows of a downloaded .xlsx, headers first."""
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def download_sheet(response):
    content = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(content)).active


@pytest.fixture(autouse=True)
def _own_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()


@pytest.fixture(autouse=True)
def _english(settings):
    # The tests quote the English messages, which stay the same when Chinese translations arrive.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def product(manager):
    return catalog_services.product_create(
        by=manager, model_code="KD-101", name="外墙乳胶漆", unit="桶", standard_price=Decimal("120.00")
    )


@pytest.fixture
def own_customer(assistant):
    return customer_services.customer_create(by=assistant, series="GS", name="佛山美家")


@pytest.fixture
def others_customer(other_assistant):
    return customer_services.customer_create(by=other_assistant, series="GS", name="广州彩虹")
