"""Turning the text of an SMS or chat message into proposed order lines.

`A-101 红色 20桶，B-220 5桶，明天要` → A-101 × 20, B-220 × 5, wanted tomorrow. Model codes
are matched against the catalogue; whatever is not understood is returned as it was, so
the assistant sees it and nothing is silently dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from salesdesk.core.money import MAX_QUANTITY, QUANTITY

UNITS = "桶|瓶|组|箱|件|包|罐|支|套|个|kg|KG|公斤|千克|升|L|l"
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUMBER = r"[零〇一二两三四五六七八九十百千]+"
_SMALLEST_QUANTITY = Decimal(1).scaleb(-QUANTITY["decimal_places"])
_SEPARATORS = re.compile(r"[，,；;。\n\r]+|\s{2,}")
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}


@dataclass
class ProposedLine:
    model_code: str
    quantity: Decimal
    source: str


@dataclass
class ParsedOrder:
    lines: list[ProposedLine] = field(default_factory=list)
    requested_date: dt.date | None = None
    unrecognised: list[str] = field(default_factory=list)


def chinese_number(text: str) -> int | None:
    """二十 → 20, 十五 → 15, 三百零五 → 305, 两千 → 2000."""
    if not text or any(ch not in _CN_DIGITS and ch not in "十百千" for ch in text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        else:
            unit = {"十": 10, "百": 100, "千": 1000}[ch]
            total += (current or 1) * unit
            current = 0
    return total + current


def _quantity(text: str) -> tuple[Decimal | None, str]:
    """The first quantity in `text`, and what follows it (which may hold another item)."""
    match = re.search(rf"(?:[x×*]\s*)?(\d+(?:\.\d+)?)\s*(?:{UNITS})?", text)
    if match:
        return Decimal(match.group(1)), text[match.end() :]
    match = re.search(rf"({_CN_NUMBER})\s*(?:{UNITS})", text)
    if match:
        value = chinese_number(match.group(1))
        return (Decimal(value) if value else None), text[match.end() :]
    return None, text


def _fits_a_line(quantity: Decimal) -> bool:
    """Whether an order line could hold `quantity`: a figure it cannot (0.0000001, twenty digits)
    stays in the text for the assistant to read, not proposed as a line the form then refuses."""
    return 0 < quantity <= MAX_QUANTITY and quantity == quantity.quantize(_SMALLEST_QUANTITY)


def _mentions_quantity(text: str) -> bool:
    return bool(re.search(rf"\d|{_CN_NUMBER}\s*(?:{UNITS})", text))


def _date(text: str, today: dt.date) -> tuple[dt.date | None, str]:
    for word, days in sorted(_RELATIVE_DAYS.items(), key=lambda kv: -len(kv[0])):
        if word in text:
            return today + dt.timedelta(days=days), text.replace(word, " ")
    # 12月3日 or 12/3: a dot or dash would read "2.5kg" or a model code as a date.
    match = re.search(r"(?<![\w.-])(\d{1,2})\s*(?:月\s*(\d{1,2})\s*[日号]?|/\s*(\d{1,2})(?![\d.]))", text)
    if match:
        month, day = int(match.group(1)), int(match.group(2) or match.group(3))
        try:
            candidate = dt.date(today.year, month, day)
        except ValueError:
            return None, text
        if candidate < today - dt.timedelta(days=30):  # "1月5日" written in late December
            candidate = candidate.replace(year=today.year + 1)
        return candidate, text.replace(match.group(0), " ")
    return None, text


def parse_order_text(text: str, model_codes: list[str], today: dt.date) -> ParsedOrder:
    """Propose lines from free text; `model_codes` are the catalogue's active codes."""
    result = ParsedOrder()
    text = (text or "")[:5000]
    result.requested_date, text = _date(text, today)
    text = re.sub(r"[要送交]货?\s*$|要$", " ", text.strip())
    codes = sorted(model_codes, key=len, reverse=True)  # longest first: A-1011 before A-101
    pattern = re.compile("|".join(re.escape(c) for c in codes), re.IGNORECASE) if codes else None
    canonical = {c.upper(): c for c in codes}
    for chunk in _SEPARATORS.split(text):
        chunk = chunk.strip()
        if not chunk:
            continue
        matches = list(pattern.finditer(chunk)) if pattern else []
        if not matches:
            result.unrecognised.append(chunk)
            continue
        for i, match in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(chunk)
            rest = chunk[match.end() : end]
            quantity, leftover = _quantity(rest)
            code = canonical[match.group(0).upper()]
            if quantity is None or not _fits_a_line(quantity):
                result.unrecognised.append(chunk[match.start() : end].strip())
                continue
            taken = chunk[match.start() : end - len(leftover)].strip()
            result.lines.append(ProposedLine(code, quantity, taken))
            if _mentions_quantity(leftover):  # "… 还有那个蓝色的十桶": another item we cannot name
                result.unrecognised.append(leftover.strip())
    return result
