"""A commission statement as .xlsx: the payee and bank details on top, each line, the total.

Headers are Chinese with English beside them, as on the receivables statement: finance pays
from it and the salesperson may pass it on, whatever the clerk's screen language.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from salesdesk.commissions.models import CommissionPayout, CommissionStatement, StatementLine
from salesdesk.core.people import name_of
from salesdesk.core.spreadsheets import XLSX_CONTENT_TYPE, content_disposition, neutralise_formula

# (header, width, number format)
LINE_COLUMNS = [
    ("出库单号 Outbound", 18, None),
    ("过账日期 Posting date", 14, "yyyy-mm-dd"),
    ("产品 Product", 30, None),
    ("数量 Quantity", 12, "#,##0.###"),
    ("回扣单价 Rebate unit price", 16, "#,##0.00##"),
    ("佣金 Commission", 16, "#,##0.00"),
]
STATUS_LABELS = {
    "submitted": "已提交财务 Submitted",
    "approved": "财务已审核 Approved",
    "paid": "已付佣 Paid",
    "returned": "已退回 Sent back",
}


def _append(sheet, values: Sequence, *, bold: bool = False, formats: Sequence[str | None] = ()) -> None:
    sheet.append([neutralise_formula(v) if isinstance(v, str) else v for v in values])
    for i, cell in enumerate(sheet[sheet.max_row]):
        number_format = formats[i] if i < len(formats) else None
        if number_format and cell.value is not None and not isinstance(cell.value, str):
            cell.number_format = number_format
        elif isinstance(cell.value, Decimal):
            cell.number_format = "#,##0.00"
        if bold:
            cell.font = Font(bold=True)


def statement_workbook(
    statement: CommissionStatement, lines: Sequence[StatementLine], payout: CommissionPayout | None
) -> Workbook:
    customer = statement.customer
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "付佣明细"
    for i, (_header, width, _format) in enumerate(LINE_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    _append(sheet, [settings.SALESDESK["COMPANY_NAME"]], bold=True)
    _append(sheet, ["付佣明细 Commission statement", "", "单号 No.", statement.number], bold=True)
    _append(sheet, ["客户 Customer", customer.code, customer.name])
    _append(sheet, ["月份 Month", f"{statement.month:%Y-%m}", "状态 Status", STATUS_LABELS[statement.status]])
    _append(sheet, ["收款人 Payee", statement.payee_name, "身份证号 ID number", statement.payee_id_number])
    _append(sheet, ["开户银行 Bank", statement.payee_bank, "账号 Account", statement.payee_account])
    _append(sheet, [])
    _append(sheet, [header for header, _width, _format in LINE_COLUMNS], bold=True)
    formats = [number_format for _header, _width, number_format in LINE_COLUMNS]
    for line in lines:
        accrual = line.accrual
        product = accrual.outbound_line.product
        _append(
            sheet,
            [
                accrual.outbound.number,
                accrual.posting_date,
                f"{product.model_code} {product.name}",
                accrual.quantity,
                accrual.rebate_unit_price,
                accrual.amount,
            ],
            formats=formats,
        )
    _append(sheet, ["合计 Total", "", "", None, None, statement.total], bold=True, formats=formats)
    _append(sheet, [])
    _append(
        sheet,
        [
            "制表 Drawn up by",
            name_of(statement.created_by),
            "日期 Date",
            timezone.localtime(statement.created_at).date(),
        ],
    )
    if statement.decided_by_id and statement.status != "returned":
        _append(
            sheet,
            [
                "审核 Approved by",
                name_of(statement.decided_by),
                "日期 Date",
                timezone.localtime(statement.decided_at).date(),
            ],
        )
    if payout is not None:
        _append(sheet, ["付款日期 Paid on", payout.paid_on, "付款凭证 Reference", payout.reference])
    return workbook


def statement_xlsx_response(
    statement: CommissionStatement, lines: Sequence[StatementLine], payout: CommissionPayout | None
) -> FileResponse:
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
    statement_workbook(statement, lines, payout).save(spool)
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX_CONTENT_TYPE)
    name = f"付佣明细-{statement.customer.code}-{statement.number}.xlsx"
    response["Content-Disposition"] = content_disposition(name, f"commission-{statement.number}.xlsx")
    return response
