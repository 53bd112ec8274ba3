"""Printed receivables documents: the statement (对账单) and the receipt slip (收据).

Both go to the customer, who signs the statement back, so they are printed in Chinese with
English beside each label whatever the clerk's screen language. Text uses reportlab's
built-in CID font, as the delivery note does, so no font file has to be shipped.
"""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone, translation
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from salesdesk.receivables import selectors
from salesdesk.receivables.models import ReceiptSlip, Statement
from salesdesk.warehouse.documents import _font, _p, _styles

# What each kind of statement line is called on paper.
KIND_LABELS = {
    "sale": "销售 Sale",
    "return": "退货 Return",
    "bad_debt": "坏账核销 Write-off",
    "receipt": "收款 Receipt",
}
LINE_HEADERS = [
    "日期\nDate",
    "类别\nKind",
    "单号\nNumber",
    "摘要\nDescription",
    "借方(应收)\nDebit",
    "贷方(已收)\nCredit",
    "余额\nBalance",
]
LINE_WIDTHS = [22 * mm, 26 * mm, 28 * mm, 47 * mm, 21 * mm, 21 * mm, 21 * mm]
HEAD_BACKGROUND = colors.Color(0.92, 0.94, 0.97)

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ["", "拾", "佰", "仟"]
GROUPS = ["", "万", "亿", "万亿"]


def figures(amount: Decimal) -> str:
    """1234.5 → 1,234.50; a minus sign people can read in the CID font."""
    return f"{amount:,.2f}"


def _four_digits(number: int) -> str:
    text, zero, started = "", False, False
    for place in range(3, -1, -1):
        digit = number // 10**place % 10
        if digit == 0:
            zero = zero or started
            continue
        if zero:
            text += "零"
            zero = False
        text += DIGITS[digit] + PLACES[place]
        started = True
    return text


def _integer_in_capitals(number: int) -> str:
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    text, zero = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero = zero or bool(text)
            continue
        # A gap of zeros before this group, inside it or in the groups above, reads as one 零.
        if zero or (text and group < 1000):
            text += "零"
        text += _four_digits(group) + GROUPS[index]
        zero = False
    return text


def amount_in_capitals(amount: Decimal) -> str:
    """人民币大写 as a cheque or receipt writes it: 1,409.50 → 壹仟肆佰零玖元伍角.

    Whole yuan end in 整; 角 with no 分 do not; a zero 角 before 分 reads 零.
    """
    cents = int((abs(amount) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    sign = "负" if amount < 0 and cents else ""
    text = _integer_in_capitals(yuan)
    if text:
        text += "元"
    if jiao == 0 and fen == 0:
        return sign + (text or "零元") + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    return sign + text


def _grid(rows, widths, *, header_rows: int = 1, right_from: int | None = None) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=header_rows)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if header_rows:
        style.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD_BACKGROUND))
    if right_from is not None:
        style.append(("ALIGN", (right_from, header_rows), (-1, -1), "RIGHT"))
    table.setStyle(TableStyle(style))
    return table


def _facts(cells: list[list[str]], widths, styles) -> Table:
    body = styles["body"]
    table = Table([[_p(c, body) for c in row] for row in cells], colWidths=widths)
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
    return table


def _signature(labels: list[str], widths, styles) -> Table:
    body = styles["body"]
    cells = []
    for label in labels:
        cells += [_p(label, body), ""]
    table = Table([cells], colWidths=widths, rowHeights=[14 * mm])
    lines = [("LINEBELOW", (i, 0), (i, 0), 0.5, colors.black) for i in range(1, len(cells), 2)]
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), *lines]))
    return table


def _build(story_of, *, pagesize, title: str) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title,
        author=settings.SALESDESK["COMPANY_NAME"],
    )
    _font()
    # Model labels (payment method, seal) in the customer's language, not the clerk's.
    with translation.override("zh-hans"):
        document.build(story_of())
    return buffer.getvalue()


# --- statement ------------------------------------------------------------------------------


def _statement_header(statement: Statement, styles) -> list[Flowable]:
    customer = statement.customer
    period = f"{statement.period_from:%Y-%m-%d} 至 {statement.period_to:%Y-%m-%d}"
    cells = [
        ["客户 Customer", f"{customer.name}（{customer.code}）", "对账单号 No.", statement.number],
        ["期间 Period", period, "日期 Date", f"{timezone.localdate():%Y-%m-%d}"],
    ]
    return [
        _p(settings.SALESDESK["COMPANY_NAME"], styles["company"]),
        _p("对账单 Statement", styles["title"]),
        Spacer(1, 4 * mm),
        _facts(cells, [26 * mm, 88 * mm, 26 * mm, 46 * mm], styles),
        Spacer(1, 4 * mm),
    ]


def _statement_lines(view: selectors.StatementView, styles) -> Table:
    body, number = styles["body"], styles["number"]
    rows = [[_p(h, body) for h in LINE_HEADERS]]
    rows.append([_p("期初余额 Opening balance", body), "", "", "", "", "", _p(figures(view.opening), number)])
    for line in view.lines:
        rows.append(
            [
                _p(f"{line.date:%Y-%m-%d}", body),
                _p(KIND_LABELS.get(line.kind, line.kind), body),
                _p(line.number, body),
                _p(line.text, body),
                _p(figures(line.debit) if line.debit else "", number),
                _p(figures(line.credit) if line.credit else "", number),
                _p(figures(line.balance), number),
            ]
        )
    rows.append(
        [
            _p("本期合计 Period totals", body),
            "",
            "",
            "",
            _p(figures(view.debit_total), number),
            _p(figures(view.credit_total), number),
            "",
        ]
    )
    rows.append([_p("期末余额 Closing balance", body), "", "", "", "", "", _p(figures(view.closing), number)])
    table = _grid(rows, LINE_WIDTHS)
    last = len(rows) - 1
    table.setStyle(
        TableStyle(
            [
                ("SPAN", (0, 1), (5, 1)),
                ("SPAN", (0, last - 1), (3, last - 1)),
                ("SPAN", (0, last), (5, last)),
                ("BACKGROUND", (0, last), (-1, last), HEAD_BACKGROUND),
            ]
        )
    )
    return table


def _statement_footer(view: selectors.StatementView, styles) -> list[Flowable]:
    owed, day = view.closing, f"{view.period_to:%Y-%m-%d}"
    words = f"{figures(abs(owed))} 元（{amount_in_capitals(abs(owed))}）"
    if owed >= 0:
        summary = f"截至 {day}，贵司尚欠我司货款人民币 {words}。"
    else:
        summary = f"截至 {day}，我司预收贵司货款人民币 {words}。"
    return [
        Spacer(1, 4 * mm),
        _p(summary, styles["body"]),
        _p(
            "请核对以上账目，确认无误后签字盖章并回传我司；如有不符，请于收到本对账单七日内告知。"
            " Please check, sign and return; tell us within 7 days if anything differs.",
            styles["small"],
        ),
        Spacer(1, 6 * mm),
        _signature(
            ["客户确认（签字盖章）Customer signature", "日期 Date"],
            [70 * mm, 56 * mm, 20 * mm, 40 * mm],
            styles,
        ),
    ]


def statement_pdf(statement: Statement) -> bytes:
    """The statement as sent to the customer: every document of the period and a line to sign."""
    styles = _document_styles()
    view = selectors.statement_view(statement.customer, statement.period_from, statement.period_to)

    def story() -> list[Flowable]:
        return [
            *_statement_header(statement, styles),
            _statement_lines(view, styles),
            *_statement_footer(view, styles),
        ]

    return _build(story, pagesize=A4, title=f"对账单 {statement.number}")


# --- receipt slip ---------------------------------------------------------------------------


def slip_pdf(slip: ReceiptSlip) -> bytes:
    """收据: a numbered slip for money received, in figures and in capitals, with the seal named."""
    styles = _document_styles()
    receipt, customer = slip.receipt, slip.receipt.customer

    def story() -> list[Flowable]:
        cells = [
            ["收据号 No.", slip.number, "日期 Date", f"{slip.issued_on:%Y-%m-%d}"],
            ["今收到 Received from", f"{customer.name}（{customer.code}）", "收款单 Receipt", receipt.number],
            [
                "金额 Amount",
                f"人民币 {figures(receipt.amount)} 元",
                "方式 Method",
                receipt.get_method_display(),
            ],
            [
                "大写 In words",
                amount_in_capitals(receipt.amount),
                "收款日 Received",
                f"{receipt.received_on:%Y-%m-%d}",
            ],
            ["事由 For", receipt.note or "货款 Payment for goods", "印章 Seal", slip.get_seal_display()],
        ]
        return [
            _p(settings.SALESDESK["COMPANY_NAME"], styles["company"]),
            _p("收据 Receipt", styles["title"]),
            Spacer(1, 3 * mm),
            _facts(cells, [40 * mm, 70 * mm, 30 * mm, 46 * mm], styles),
            Spacer(1, 4 * mm),
            _signature(
                ["收款人 Received by", "经手人 Handled by"], [36 * mm, 56 * mm, 32 * mm, 62 * mm], styles
            ),
        ]

    return _build(story, pagesize=landscape(A5), title=f"收据 {slip.number}")


def _document_styles() -> dict[str, ParagraphStyle]:
    styles = _styles()
    styles["number"] = ParagraphStyle("number", parent=styles["body"], alignment=TA_RIGHT)
    return styles
