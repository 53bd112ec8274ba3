"""Printed warehouse documents: the delivery note (送货单) that travels with the goods.

The note is read and signed by the customer, so it is in Chinese whatever language the
clerk's screen is in, and it never shows a price: the driver and the customer's storeman
see it. Text uses reportlab's built-in CID font, so no font file has to be shipped.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone, translation
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from salesdesk.core.money import quantity_text
from salesdesk.warehouse.models import Outbound, OutboundLine

FONT = "STSong-Light"
LINE_HEADERS = ["序号", "型号", "品名", "规格", "数量", "单位"]
LINE_WIDTHS = [12 * mm, 30 * mm, 58 * mm, 36 * mm, 24 * mm, 20 * mm]


@functools.cache
def _font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=14, wordWrap="CJK")
    return {
        "body": body,
        "company": ParagraphStyle("company", parent=body, fontSize=16, leading=20, alignment=TA_CENTER),
        "title": ParagraphStyle("title", parent=body, fontSize=14, leading=18, alignment=TA_CENTER),
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11, textColor=colors.grey),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    # Paragraph reads a little markup: customer text must not be taken for it.
    return Paragraph(escape(text or "").replace("\n", "<br/>"), style)


def _header(outbound: Outbound, styles) -> list[Flowable]:
    customer, order = outbound.customer, outbound.order
    contact = customer.contacts.order_by("id").first()
    address = "".join(part for part in (customer.province, customer.city, customer.address) if part)
    how = ""
    if order is not None:
        # STSong-Light has no middle dot; a full-width slash reads the same on paper.
        how = order.get_ship_method_display() + (f"／{order.carrier.name}" if order.carrier else "")
    when = outbound.posting_date or timezone.localdate()
    cells = [
        ["单号", outbound.reference, "日期", f"{when:%Y-%m-%d}"],
        ["客户", f"{customer.name}（{customer.code}）", "订单号", order.number if order else ""],
        ["地址", address, "发货方式", how],
        ["联系人", contact.name if contact else "", "电话", contact.phone if contact else ""],
    ]
    body = styles["body"]
    table = Table(
        [[_p(c, body) for c in row] for row in cells],
        colWidths=[18 * mm, 84 * mm, 20 * mm, 58 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TEXTCOLOR", (0, 0), (0, -1), colors.grey),
                ("TEXTCOLOR", (2, 0), (2, -1), colors.grey),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.black),
            ]
        )
    )
    return [
        _p(settings.SALESDESK["COMPANY_NAME"], styles["company"]),
        _p("送货单", styles["title"]),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 4 * mm),
    ]


def _lines(lines: Iterable[OutboundLine], styles) -> Table:
    body = styles["body"]
    rows = [[_p(h, body) for h in LINE_HEADERS]]
    for i, line in enumerate(lines, start=1):
        product = line.product
        rows.append(
            [
                _p(str(i), body),
                _p(product.model_code, body),
                _p(product.name, body),
                _p(product.specification, body),
                _p(quantity_text(line.quantity), body),
                _p(product.unit, body),
            ]
        )
    table = Table(rows, colWidths=LINE_WIDTHS, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.94, 0.97)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (4, 1), (4, -1), "RIGHT"),
            ]
        )
    )
    return table


def _footer(outbound: Outbound, styles) -> list[Flowable]:
    body = styles["body"]
    order_instructions = outbound.order.warehouse_instructions if outbound.order else ""
    instructions = "\n".join(text for text in (order_instructions, outbound.notes) if text)
    signature = Table(
        [[_p("送货人：", body), "", _p("客户签收：", body), "", _p("签收日期：", body), ""]],
        colWidths=[20 * mm, 30 * mm, 24 * mm, 46 * mm, 24 * mm, 36 * mm],
        rowHeights=[14 * mm],
    )
    signature.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LINEBELOW", (1, 0), (1, 0), 0.5, colors.black),
                ("LINEBELOW", (3, 0), (3, 0), 0.5, colors.black),
                ("LINEBELOW", (5, 0), (5, 0), 0.5, colors.black),
            ]
        )
    )
    return [
        Spacer(1, 4 * mm),
        _p(f"出货要求：{instructions or '无'}", body),
        Spacer(1, 6 * mm),
        signature,
        Spacer(1, 4 * mm),
        _p("请当面点清货物数量；如有短缺或破损，请在本单注明后签收，并将签收联交回送货人。", styles["small"]),
    ]


def delivery_note_pdf(outbound: Outbound) -> bytes:
    """The delivery note of a posted outbound: who gets what, and a line for the customer's signature."""
    styles = _styles()
    lines = list(outbound.lines.select_related("product").order_by("id"))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"送货单 {outbound.reference}",
        author=settings.SALESDESK["COMPANY_NAME"],
    )
    # Model labels (ship method) in the customer's language, not the clerk's.
    with translation.override("zh-hans"):
        story = [*_header(outbound, styles), _lines(lines, styles), *_footer(outbound, styles)]
        document.build(story)
    return buffer.getvalue()
