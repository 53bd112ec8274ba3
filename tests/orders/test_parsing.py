import datetime as dt
from decimal import Decimal

from salesdesk.orders.parsing import chinese_number, parse_order_text

CODES = ["A-101", "A-1011", "A-102", "B-220", "B-221", "C-310", "D-500"]
TODAY = dt.date(2026, 11, 27)


def lines(text: str):
    return [(line.model_code, line.quantity) for line in parse_order_text(text, CODES, TODAY).lines]


def test_the_sms_of_the_example_gives_two_lines_wanted_tomorrow():
    parsed = parse_order_text("A-101 红色 20桶，B-220 5桶，明天要", CODES, TODAY)
    assert [(p.model_code, p.quantity) for p in parsed.lines] == [
        ("A-101", Decimal("20")),
        ("B-220", Decimal("5")),
    ]
    assert parsed.requested_date == dt.date(2026, 11, 28)
    assert parsed.unrecognised == []


def test_codes_are_matched_case_insensitively_and_longest_first():
    assert lines("a-1011 3桶 a-101 x2") == [("A-1011", Decimal("3")), ("A-101", Decimal("2"))]


def test_chinese_numerals_are_quantities():
    assert lines("D-500 二十组，C-310两瓶") == [("D-500", Decimal("20")), ("C-310", Decimal("2"))]
    assert [chinese_number(t) for t in ["十", "十五", "二十", "三百零五", "两千"]] == [10, 15, 20, 305, 2000]


def test_what_is_not_understood_stays_visible():
    parsed = parse_order_text("A-101 20桶 还有那个蓝色的十桶，要些稀释剂", CODES, TODAY)
    assert [(p.model_code, p.quantity) for p in parsed.lines] == [("A-101", Decimal("20"))]
    assert parsed.unrecognised == ["还有那个蓝色的十桶", "要些稀释剂"]


def test_a_code_without_quantity_is_not_guessed():
    parsed = parse_order_text("B-221 要一点", CODES, TODAY)
    assert parsed.lines == [] and parsed.unrecognised == ["B-221 要一点"]


def test_explicit_dates_roll_into_next_year_when_already_past():
    assert parse_order_text("A-101 1桶 12月3日送", CODES, TODAY).requested_date == dt.date(2026, 12, 3)
    assert parse_order_text("A-101 1桶 1月5日", CODES, TODAY).requested_date == dt.date(2027, 1, 5)
    assert parse_order_text("A-101 1桶 2月30日", CODES, TODAY).requested_date is None


def test_decimal_quantities_and_empty_text():
    assert lines("C-310 2.5kg") == [("C-310", Decimal("2.5"))]
    assert parse_order_text("", CODES, TODAY).lines == []


def test_a_quantity_no_order_line_holds_stays_in_the_text():
    parsed = parse_order_text("A-101 0.0000001桶，B-220 123456789012345678桶，C-310 1.2500kg", CODES, TODAY)
    assert [(p.model_code, p.quantity) for p in parsed.lines] == [("C-310", Decimal("1.25"))]
    assert parsed.unrecognised == ["A-101 0.0000001桶", "B-220 123456789012345678桶"]
