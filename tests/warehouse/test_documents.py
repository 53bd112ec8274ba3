"""The delivery note (送货单): Chinese text, what the customer signs for, and never a price."""

from __future__ import annotations

import base64
import contextlib
import re
import zlib
from decimal import Decimal

import pytest
from django.urls import reverse

from salesdesk.catalog.models import Product
from salesdesk.orders import services as order_services
from salesdesk.warehouse import services
from salesdesk.warehouse.documents import delivery_note_pdf
from tests.conftest import client_for
from tests.warehouse.conftest import released, ship

pytestmark = pytest.mark.django_db

_STRING = re.compile(rb"\((?:[^()\\]|\\.)*\)", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(literal: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(literal):
        char = literal[i : i + 1]
        if char != b"\\":
            out += char
            i += 1
            continue
        octal = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(), 8))
            i += 1 + len(octal.group())
        else:
            following = literal[i + 1 : i + 2]
            out += _ESCAPES.get(following, following)
            i += 2
    return bytes(out)


def pdf_text(data: bytes) -> str:
    """The text a PDF made by reportlab shows, enough to search it in tests.

    Strings in the CID font are UTF-16 (two bytes per character); the rest are Latin-1.
    No PDF library needed: reportlab's content streams are at most ASCII85 and Flate encoded.
    """
    assert data.startswith(b"%PDF"), "not a PDF"
    cid_fonts = set(re.findall(rb"/Name /(F\d+)[^>]*?/Subtype /Type0", data))
    cid_fonts |= set(re.findall(rb"/Subtype /Type0[^>]*?/Name /(F\d+)", data))
    texts = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        stream = stream.strip()
        if stream.endswith(b"~>"):  # reportlab's default: ASCII85 over Flate
            stream = base64.a85decode(stream, adobe=True)
        with contextlib.suppress(zlib.error):  # an uncompressed stream is read as it is
            stream = zlib.decompress(stream)
        font = b""
        for token in re.finditer(rb"/(F\d+) [\d.]+ Tf|" + _STRING.pattern, stream, re.S):
            if token.group(1):
                font = token.group(1)
                continue
            raw = _unescape(token.group()[1:-1])
            texts.append(raw.decode("utf-16-be", "replace") if font in cid_fonts else raw.decode("latin-1"))
    return " ".join(texts)


@pytest.fixture
def posted(draft, stocked, assistant, warehouse):
    order = order_services.order_update(
        order=draft, by=assistant, warehouse_instructions="易碎品，轻拿轻放；先送顺德仓"
    )
    return ship(released(order, assistant), warehouse)


def test_the_delivery_note_names_who_gets_what_in_chinese(posted, customer):
    text = pdf_text(delivery_note_pdf(posted))
    contact = customer.contacts.first()
    for expected in [
        "科迪色彩",
        "送货单",
        posted.number,
        f"{posted.posting_date:%Y-%m-%d}",
        customer.name,
        customer.address,
        contact.phone,
        posted.order.number,
        "A-101",
        "水性木器漆 红色",
        "20kg/桶",
        "桶",
        "易碎品，轻拿轻放；先送顺德仓",
        "客户签收",
    ]:
        assert expected in text, expected


def test_the_delivery_note_shows_quantities_but_no_price(posted):
    text = pdf_text(delivery_note_pdf(posted))
    lines = {line.product.model_code: line for line in posted.lines.select_related("product")}
    assert lines["A-101"].quantity == Decimal("20")
    assert re.search(r"A-101.*\b20\b", text, re.S)
    for money in ["349.6", "243.8", "8211", "8,211", "6992", "1219", "¥", "单价", "金额"]:
        assert money not in text, money


def test_customer_text_is_printed_as_typed_not_taken_for_markup(draft, stocked, assistant, warehouse):
    odd = "<b>美家</b> & 装饰 <br/>"
    order = order_services.order_update(order=draft, by=assistant, warehouse_instructions=odd)
    outbound = ship(released(order, assistant), warehouse)
    assert odd in pdf_text(delivery_note_pdf(outbound))


def test_a_long_delivery_note_runs_over_several_pages(customer, assistant, warehouse):
    products = [
        Product.objects.create(
            model_code=f"L-{i:03d}", name=f"长单产品 {i}", specification="5L", unit="罐", standard_price=10
        )
        for i in range(60)
    ]
    for product in products:
        services.stock_inbound(product=product, quantity=Decimal("5"), by=warehouse)
    order = order_services.order_create(
        by=assistant,
        customer=customer,
        channel="phone",
        ship_method="pickup",
        collection_method="cash",
        lines=[order_services.LineInput(product=p, quantity=Decimal("1")) for p in products],
    )
    outbound = ship(released(order, assistant), warehouse)
    pdf = delivery_note_pdf(outbound)
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 2
    text = pdf_text(pdf)
    assert "L-000" in text and "L-059" in text and "客户签收" in text


def test_the_delivery_note_page_answers_a_pdf_to_the_warehouse(posted, warehouse):
    response = client_for(warehouse).get(reverse("warehouse:delivery-note", args=[posted.number]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert posted.number in response["Content-Disposition"]
    assert posted.number in pdf_text(response.content)


def test_only_a_posted_sale_has_a_delivery_note(draft, stocked, assistant, warehouse):
    order = released(draft, assistant)
    line = order.lines.first()
    draft_outbound = services.outbound_create(
        order=order, by=warehouse, quantities=[services.ShipQuantity(order_line=line, quantity=Decimal("1"))]
    )
    response = client_for(warehouse).get(reverse("warehouse:delivery-note", args=[draft_outbound.reference]))
    assert response.status_code == 404
