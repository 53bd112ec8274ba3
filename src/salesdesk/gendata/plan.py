"""What happens in three years of a busy distributor, decided by a seeded random generator.

The plan knows nothing of the database: it says who orders what and when, when the goods
leave, when and how the money comes back, what is returned and what is written off, and on
which days the invoice customers are invoiced, their invoices mailed and received. Writers
turn it into documents, so the same seed gives the same company whichever way it is written.
"""

from __future__ import annotations

import calendar
import datetime as dt
import heapq
import itertools
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉波斌"
TRADES = ["涂装", "家具", "建材", "装饰", "五金", "木业", "门窗", "机械", "钢构", "汽修"]
WORDS = "华盛鑫宏达兴隆恒泰永丰瑞祥金鼎嘉禾新源富康长城东方明远天成"
HOME_CITIES = [
    ("珠三角", "广东", "广州"),
    ("珠三角", "广东", "佛山"),
    ("珠三角", "广东", "东莞"),
    ("粤东", "广东", "汕头"),
]
AWAY_CITIES = [
    ("华南", "广西", "南宁"),
    ("华中", "湖南", "长沙"),
    ("华东", "福建", "厦门"),
    ("华中", "江西", "赣州"),
]
PRODUCT_FAMILIES = [
    ("A", "醇酸调和漆", "kg", 18, 45),
    ("B", "丙烯酸面漆", "kg", 30, 80),
    ("C", "环氧底漆", "kg", 25, 60),
    ("D", "聚氨酯清漆", "kg", 35, 95),
    ("E", "水性木器漆", "kg", 40, 120),
    ("F", "色浆", "L", 60, 260),
    ("G", "稀释剂", "L", 12, 30),
    ("H", "固化剂", "kg", 45, 150),
]
# Paint sells in spring and autumn; little moves around the Spring Festival.
SEASON = {
    1: 0.55,
    2: 0.45,
    3: 1.1,
    4: 1.3,
    5: 1.25,
    6: 1.0,
    7: 0.85,
    8: 0.9,
    9: 1.2,
    10: 1.25,
    11: 1.15,
    12: 0.9,
}
ASSISTANTS = 6
SALESPEOPLE = 12
WRITE_OFF_AFTER_DAYS = 90
HALF_NOTE = "部分付款"
# The day of the month invoice customers want their invoice (31: the month's last day).
INVOICE_DAYS = [(25, 50), (20, 15), (31, 15), (28, 10), (15, 5), (10, 5)]


@dataclass
class CustomerPlan:
    n: int
    series: str
    name: str
    region: str
    province: str
    city: str
    address: str
    salesperson: int  # index into the salespeople
    assistant: int
    settlement: str  # cash, transfer, cod, monthly
    credit_days: int
    credit_limit: Decimal | None
    rebate: bool
    away: bool  # out of province: pays before shipping unless excepted
    contact: str
    phone: str
    invoice_required: bool
    weight: float
    pays: str  # prompt, monthly, late
    products: list[int]
    prices: list[tuple[int, dt.date, Decimal]] = field(default_factory=list)
    rebates: list[tuple[int, dt.date, Decimal]] = field(default_factory=list)
    invoice_day: int | None = None  # for invoice customers


@dataclass
class ProductPlan:
    n: int
    model_code: str
    name: str
    unit: str
    standard_price: Decimal


@dataclass
class OrderPlan:
    n: int
    customer: int
    at: dt.datetime  # taken down, registered and released at once
    lines: list[tuple[int, Decimal]]  # (product, quantity)
    channel: str
    ship_method: str
    carrier: int | None
    collection: str
    ship_in_parts: bool
    call: CallPlan | None


@dataclass
class CallPlan:
    at: dt.datetime
    customer: int | None
    company: str
    contact: str
    phone: str
    need: str
    minutes: int
    follow_up: str = ""  # a question passed to a salesperson


@dataclass
class ShipPlan:
    carrier: int | None
    driver: str
    tracking: str
    cod: bool
    note_required: bool


@dataclass
class Post:
    """Goods leave: `part` 1 is the first (or only) outbound of the order, 2 the rest."""

    order: int
    part: int
    lines: list[tuple[int, Decimal]]  # (line position, quantity)
    ship: ShipPlan | None

    @property
    def sale(self) -> int:
        return self.order * 10 + self.part


@dataclass
class Payment:
    customer: int
    sales: list[int]
    received_on: dt.date
    method: str
    half: bool = False  # a part payment: half of what is open, with a note

    def settle(self, open_now: list[tuple[int, Decimal]]):
        """(amount, [(sale, amount taken, open before)], note) for the sales still open, or None.

        Both writers pay through this, so they settle the same sales with the same money.
        """
        open_now = [(sale, left) for sale, left in open_now if left > 0]
        if not open_now:
            return None
        if self.half:
            sale, left = open_now[0]
            amount = (left / 2).quantize(Decimal("0.01"))
            return (amount, [(sale, amount, left)], HALF_NOTE) if amount > 0 else None
        amount = sum((left for _sale, left in open_now), Decimal("0.00"))
        return amount, [(sale, left, left) for sale, left in open_now], ""


@dataclass
class CodBack:
    sale: int


@dataclass
class NoteBack:
    sale: int


@dataclass
class StockIn:
    product: int
    quantity: Decimal


@dataclass
class InvoiceIssue:
    """开票 on the customer's invoice day: one invoice for what was posted and not yet invoiced
    (nothing is issued when that adds up to nothing). `key` names it in the events that follow."""

    customer: int
    key: int
    issued_on: dt.date


@dataclass
class InvoiceMailed:
    key: int
    carrier: int
    tracking: str


@dataclass
class InvoiceReceived:
    key: int
    received_on: dt.date


def invoice_number(issued_on: dt.date, n: int) -> str:
    """The `n`-th invoice the company issued, numbered as the tax office's (数电发票) are: 20 digits."""
    return f"{issued_on:%y}442000{n:012d}"


@dataclass
class MonthEnd:
    month: dt.date
    returns: list[tuple[int, int, Decimal]]  # (sale, line position, quantity)
    write_offs: list[tuple[int, int]]  # (customer, sale)
    calls: list[CallPlan]  # calls with follow-ups raised this month


@dataclass
class Carriers:
    """The carriers the plan ships with, in the order the writers create them."""

    rows: list[tuple[str, str, bool, bool, int]] = field(
        default_factory=lambda: [
            ("顺丰速运", "express", True, True, 7),
            ("中通快递", "express", True, True, 10),
            ("德邦物流", "freight", True, True, 14),
            ("安能物流", "freight", False, True, 14),
            ("韵达快递", "express", False, False, 10),
        ]
    )

    def cod_capable(self) -> list[int]:
        return [i for i, row in enumerate(self.rows) if row[1] == "express" and row[2]]

    def of_kind(self, kind: str) -> list[int]:
        return [i for i, row in enumerate(self.rows) if row[1] == kind]


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(Decimal("0.01"))


class Plan:
    """Three years (or `months`) of business ending yesterday, at `scale` (1 = 2,000 customers,
    500 products, 200,000 orders)."""

    def __init__(self, *, scale: float, seed: int = 2026, months: int = 36, today: dt.date):
        self.scale, self.seed, self.months_back, self.today = scale, seed, months, today
        self.rng = random.Random(seed)
        self.carriers = Carriers()
        self.customers_n = max(12, round(2000 * scale))
        self.products_n = max(12, round(500 * scale))
        self.orders_n = max(40, round(200_000 * scale * months / 36))
        first = today.replace(day=1)
        for _ in range(months):
            first = (first - dt.timedelta(days=1)).replace(day=1)
        self.start = first
        self.products = [self._product(i) for i in range(self.products_n)]
        self.customers = [self._customer(i) for i in range(self.customers_n)]
        self._weights = list(itertools.accumulate(c.weight for c in self.customers))
        self._heap: list[tuple[dt.datetime, int, object]] = []
        self._tie = itertools.count()
        self._monthly: dict[tuple[int, dt.date], Payment] = {}
        self._returns: dict[dt.date, list] = defaultdict(list)
        self._bad: list[tuple[dt.date, int, int]] = []  # (posting date, customer, sale)
        self._order_seq = itertools.count(1)
        # Invoicing draws from its own generator, so it leaves the rest of the history as it was.
        self._invoicing = random.Random(seed * 7919 + 1)
        self._invoice_seq = itertools.count(1)
        for customer in self.customers:
            if customer.invoice_required:
                days, weights = zip(*INVOICE_DAYS, strict=True)
                customer.invoice_day = self._invoicing.choices(days, weights=weights)[0]

    # --- master data ----------------------------------------------------------------------

    def _product(self, i: int) -> ProductPlan:
        letter, name, unit, low, high = PRODUCT_FAMILIES[i % len(PRODUCT_FAMILIES)]
        number = 100 + i // len(PRODUCT_FAMILIES)
        colour = self.rng.choice(["白", "黑", "灰", "红", "黄", "蓝", "绿", "透明"])
        return ProductPlan(
            n=i,
            model_code=f"{letter}-{number}",
            name=f"{name}（{colour}）",
            unit=unit,
            standard_price=Decimal(self.rng.randint(low, high)),
        )

    def _customer(self, i: int) -> CustomerPlan:
        rng = self.rng
        series = rng.choices(["GS", "YW", "KD"], weights=[40, 45, 15])[0]
        away = rng.random() < 0.08
        region, province, city = rng.choice(AWAY_CITIES if away else HOME_CITIES)
        pays = rng.choices(["prompt", "monthly", "late"], weights=[45, 45, 10])[0]
        if pays == "prompt":
            settlement = rng.choice(["cash", "transfer", "cod", "transfer"])
            credit_days = 0 if settlement != "transfer" else rng.choice([0, 7, 15])
        else:
            settlement, credit_days = "monthly", rng.choice([30, 45, 60])
        salesperson = rng.randrange(SALESPEOPLE)
        # A few big customers buy most: Pareto weights, agents the biggest.
        weight = rng.paretovariate(1.3) * (3 if series == "KD" else 1)
        assortment = min(self.products_n, max(3, int(4 + weight * 3) + rng.randint(0, 6)))
        products = sorted(rng.sample(range(self.products_n), assortment))
        name = f"{city}{''.join(rng.sample(WORDS, 2))}{rng.choice(TRADES)}有限公司{i:04d}"
        plan = CustomerPlan(
            n=i,
            series=series,
            name=name,
            region=region,
            province=province,
            city=city,
            address=f"{city}市{rng.choice(WORDS)}{rng.choice(WORDS)}路{rng.randint(1, 999)}号",
            salesperson=salesperson,
            assistant=salesperson % ASSISTANTS,
            settlement=settlement,
            credit_days=credit_days,
            credit_limit=_money(rng.choice([50_000, 100_000, 300_000])) if rng.random() < 0.2 else None,
            rebate=rng.random() < (0.2 if series == "KD" else 0.01),
            away=away,
            contact=rng.choice(SURNAMES) + rng.choice(GIVEN),
            phone=f"13{rng.randint(100000000, 999999999)}",
            invoice_required=rng.random() < 0.3,
            weight=weight,
            pays=pays,
            products=products,
        )
        for product in products:
            standard = self.products[product].standard_price
            price = _money(float(standard) * rng.uniform(0.85, 1.0))
            plan.prices.append((product, self.start, price))
            if rng.random() < 0.3:  # a price rise part-way through
                changed = self.start + dt.timedelta(days=rng.randint(20, 30 * self.months_back - 20))
                plan.prices.append((product, changed, _money(float(price) * 1.06)))
            if plan.rebate and rng.random() < 0.7:
                plan.rebates.append((product, self.start, _money(float(standard) * rng.uniform(0.02, 0.06))))
        return plan

    # --- the business, month by month -------------------------------------------------------

    def months(self) -> Iterator[dt.date]:
        month = self.start
        while month < self.today.replace(day=1) or month == self.today.replace(day=1):
            yield month
            month = (month + dt.timedelta(days=32)).replace(day=1)

    def _push(self, at: dt.datetime, event: object) -> None:
        heapq.heappush(self._heap, (at, next(self._tie), event))

    def month(self, month: dt.date, *, workday, aware) -> Iterator[tuple[dt.datetime, object]]:
        """Every event of `month`, in time order, then the month's end (`MonthEnd`).

        `workday(day)` says whether the office works; `aware(day, time)` makes a local moment.
        """
        rng = self.rng
        last = min((month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1), self.today)
        days = [month + dt.timedelta(days=d) for d in range((last - month).days + 1)]
        days = [d for d in days if workday(d) and d < self.today]
        total_weight = sum(SEASON[m.month] for m in self.months())
        wanted = round(self.orders_n * SEASON[month.month] / total_weight)
        orders: list[OrderPlan] = []
        for _ in range(wanted if days else 0):
            day = rng.choice(days)
            at = aware(day, dt.time(8, 30)) + dt.timedelta(minutes=rng.randint(0, 9 * 60))
            orders.append(self._order(at))
        orders.sort(key=lambda o: o.at)
        demand: dict[int, Decimal] = defaultdict(Decimal)
        for order in orders:
            for product, quantity in order.lines:
                demand[product] += quantity
        if days:
            # Goods in at the start of the month: what the month will sell, and some to spare.
            at = aware(days[0], dt.time(8, 0))
            for product in sorted(demand):
                quantity = (demand[product] * Decimal("1.3") / 100).to_integral_value() * 100 + 100
                self._push(at, StockIn(product, quantity))
        for order in orders:
            self._push(order.at, order)
            self._schedule_shipping(order, workday, aware)
        self._schedule_invoices(month, workday, aware)
        for _ in range(len(orders) // 8 if days else 0):  # questions that do not become orders
            call = self._inquiry()
            call.at = aware(rng.choice(days), dt.time(9, 0)) + dt.timedelta(minutes=rng.randint(0, 480))
            self._push(call.at, call)
        end = aware(last, dt.time(18, 0)) if last < self.today else None
        follow_ups: list[CallPlan] = []
        while self._heap and (end is None or self._heap[0][0] <= end):
            at, _tie, event = heapq.heappop(self._heap)
            if at.date() >= self.today:
                continue  # what would happen from today on has not happened yet
            if isinstance(event, CallPlan) and event.follow_up:
                follow_ups.append(event)
            yield at, event
        if end is None:
            self._heap.clear()
            return
        due = [
            (sale, customer)
            for posted, customer, sale in self._bad
            if (last - posted).days > WRITE_OFF_AFTER_DAYS
        ]
        self._bad = [row for row in self._bad if (last - row[0]).days <= WRITE_OFF_AFTER_DAYS]
        yield (
            end,
            MonthEnd(
                month=month,
                returns=self._returns.pop(month, []),
                write_offs=[(customer, sale) for sale, customer in due],
                calls=follow_ups,
            ),
        )

    def _pick_customer(self) -> CustomerPlan:
        point = self.rng.random() * self._weights[-1]
        return self.customers[min(len(self.customers) - 1, _bisect(self._weights, point))]

    def _order(self, at: dt.datetime) -> OrderPlan:
        rng = self.rng
        customer = self._pick_customer()
        count = min(
            len(customer.products), rng.choices([1, 2, 3, 4, 5, 6, 8], weights=[18, 22, 22, 16, 10, 7, 5])[0]
        )
        lines = [
            (product, Decimal(rng.choice([5, 10, 20, 20, 40, 60, 100, 200])))
            for product in rng.sample(customer.products, count)
        ]
        if customer.settlement == "cod":
            ship_method, collection = "express", "cod"
        else:
            ship_method = rng.choices(["express", "freight", "delivery", "pickup"], weights=[35, 25, 25, 15])[
                0
            ]
            collection = {
                "cash": "cash",
                "transfer": "account",
                "monthly": "account",
            }[customer.settlement]
            if ship_method == "freight" and rng.random() < 0.4:
                collection = "signed_note"
        carrier = None
        if ship_method == "express":
            choices = self.carriers.cod_capable() if collection == "cod" else self.carriers.of_kind("express")
            carrier = rng.choice(choices)
        elif ship_method == "freight":
            carrier = rng.choice(self.carriers.of_kind("freight"))
            if collection == "signed_note" and not self.carriers.rows[carrier][3]:
                collection = "account"
        phoned = rng.random() < 0.6
        call = None
        if phoned:
            call = CallPlan(
                at=at - dt.timedelta(minutes=rng.randint(2, 20)),
                customer=customer.n,
                company=customer.name,
                contact=customer.contact,
                phone=customer.phone,
                need="下单：" + "、".join(self.products[p].model_code for p, _q in lines),
                minutes=rng.randint(1, 8),
            )
        return OrderPlan(
            n=next(self._order_seq),
            customer=customer.n,
            at=at,
            lines=lines,
            channel="phone" if phoned else rng.choice(["sp_oral", "sp_written", "sp_sms", "fax"]),
            ship_method=ship_method,
            carrier=carrier,
            collection=collection,
            ship_in_parts=len(lines) > 1 and rng.random() < 0.06,
            call=call,
        )

    def _inquiry(self) -> CallPlan:
        rng = self.rng
        known = rng.random() < 0.6
        customer = self._pick_customer() if known else None
        asks = rng.random() < 0.05
        return CallPlan(
            at=dt.datetime.min,  # set by the caller
            customer=customer.n if customer else None,
            company=customer.name
            if customer
            else f"{rng.choice(HOME_CITIES)[2]}{''.join(rng.sample(WORDS, 2))}涂料店",
            contact=customer.contact if customer else rng.choice(SURNAMES) + rng.choice(GIVEN),
            phone=customer.phone if customer else f"15{rng.randint(100000000, 999999999)}",
            need=rng.choice(["问价", "问货期", "要色卡", "问新品", "投诉包装破损"]),
            minutes=rng.randint(1, 15),
            follow_up=rng.choice(["能否月结？", "新品色卡何时到？", "可以开专票吗？"]) if asks else "",
        )

    def _schedule_shipping(self, order: OrderPlan, workday, aware) -> None:
        rng = self.rng
        customer = self.customers[order.customer]
        day = _slot_day(order.at, workday)
        if rng.random() < 0.05:
            day = _next_workday(day, workday)
        first_at = aware(day, dt.time(10, 0) if order.at.hour < 12 else dt.time(15, 0)) + dt.timedelta(
            minutes=rng.randint(0, 90)
        )
        first_at = max(first_at, order.at + dt.timedelta(minutes=rng.randint(20, 60)))
        positions = list(range(1, len(order.lines) + 1))
        if order.ship_in_parts:
            cut = rng.randint(1, len(positions) - 1)
            parts = [positions[:cut], positions[cut:]]
        else:
            parts = [positions]
        at = first_at
        for part_no, part in enumerate(parts, start=1):
            post = Post(
                order=order.n,
                part=part_no,
                lines=[(p, order.lines[p - 1][1]) for p in part],
                ship=self._ship_plan(order),
            )
            self._push(at, post)
            self._schedule_money(customer, post, at, workday, aware)
            at = aware(_add_workdays(at.date(), rng.randint(3, 10), workday), dt.time(10, 30))

    def _ship_plan(self, order: OrderPlan) -> ShipPlan | None:
        rng = self.rng
        if order.ship_method == "pickup":
            return None
        if order.ship_method == "delivery":
            return ShipPlan(None, rng.choice(["老周", "小陈", "阿强"]), "", False, False)
        return ShipPlan(
            carrier=order.carrier,
            driver="",
            tracking=f"{rng.randint(10**11, 10**12 - 1)}",
            cod=order.collection == "cod",
            note_required=order.collection == "signed_note",
        )

    def _schedule_money(
        self, customer: CustomerPlan, post: Post, posted_at: dt.datetime, workday, aware
    ) -> None:
        rng = self.rng
        posted = posted_at.date()
        cod = post.ship is not None and post.ship.cod
        if not cod and rng.random() < 0.015:  # some goods come back at the month's end
            position, quantity = post.lines[0]
            self._returns[posted.replace(day=1)].append(
                (post.sale, position, min(quantity, Decimal(rng.choice([1, 2, 5, 10]))))
            )
        if post.ship is not None and post.ship.note_required:
            self._push(
                aware(posted + dt.timedelta(days=rng.randint(4, 12)), dt.time(9, 30)), NoteBack(post.sale)
            )
        if cod:
            back = posted + dt.timedelta(days=rng.randint(3, 9))
            self._push(
                aware(back, dt.time(11, 0)) + dt.timedelta(minutes=rng.randint(0, 300)), CodBack(post.sale)
            )
            return
        if rng.random() < 0.005:  # never paid: written off after three months
            self._bad.append((posted, customer.n, post.sale))
            return
        method = {"cash": "cash", "transfer": "transfer", "cod": "transfer", "monthly": "transfer"}[
            customer.settlement
        ]
        if method == "transfer" and rng.random() < 0.08:
            method = "cheque"
        if customer.pays == "monthly":
            pay_month = (posted.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
            key = (customer.n, pay_month)
            payment = self._monthly.get(key)
            if payment is None:
                received = _next_or_same_workday(pay_month + dt.timedelta(days=rng.randint(9, 24)), workday)
                payment = Payment(customer.n, [], received, method)
                self._monthly[key] = payment
                self._push(self._entered(received, posted_at, workday, aware), payment)
            payment.sales.append(post.sale)
            return
        delay = (
            rng.randint(0, 10) if customer.pays == "prompt" else customer.credit_days + rng.randint(20, 90)
        )
        received = _next_or_same_workday(posted + dt.timedelta(days=delay), workday)
        if rng.random() < 0.1:  # paid in two parts
            self._push(
                self._entered(received, posted_at, workday, aware),
                Payment(customer.n, [post.sale], received, method, half=True),
            )
            received = _next_or_same_workday(received + dt.timedelta(days=rng.randint(10, 30)), workday)
        self._push(
            self._entered(received, posted_at, workday, aware),
            Payment(customer.n, [post.sale], received, method),
        )

    def _schedule_invoices(self, month: dt.date, workday, aware) -> None:
        """Each invoice customer's invoice on its day (the workday before when the office is
        closed), mailed a workday or two later, received a few days after that (some late)."""
        rng = self._invoicing
        last_day = calendar.monthrange(month.year, month.month)[1]
        express = self.carriers.of_kind("express")
        weights = [6] + [1] * (len(express) - 1)  # mostly the first (顺丰)
        for customer in self.customers:
            if not customer.invoice_required:
                continue
            due = month.replace(day=min(customer.invoice_day, last_day))
            day = due
            while not workday(day) and day > month:
                day -= dt.timedelta(days=1)
            if not workday(day):
                day = _next_workday(due, workday)
            key = next(self._invoice_seq)
            at = aware(day, dt.time(14, 0)) + dt.timedelta(minutes=rng.randint(0, 180))
            self._push(at, InvoiceIssue(customer.n, key, day))
            mailed = _add_workdays(day, rng.choice([1, 1, 2]), workday)
            carrier = rng.choices(express, weights=weights)[0]
            tracking = (
                f"SF{rng.randint(10**12, 10**13 - 1)}"
                if carrier == express[0]
                else f"{rng.randint(10**11, 10**12 - 1)}"
            )
            at = aware(mailed, dt.time(9, 0)) + dt.timedelta(minutes=rng.randint(0, 120))
            self._push(at, InvoiceMailed(key, carrier, tracking))
            late = rng.random() < 0.04  # lost for a while in the post
            received = mailed + dt.timedelta(days=rng.randint(9, 20) if late else rng.randint(1, 4))
            at = aware(_next_or_same_workday(received, workday), dt.time(9, 30))
            self._push(at + dt.timedelta(minutes=rng.randint(0, 420)), InvoiceReceived(key, received))

    def _entered(self, received: dt.date, posted_at: dt.datetime, workday, aware) -> dt.datetime:
        """When the receipt is typed in: mostly the day the money came, sometimes days later,
        and never before the goods it pays for were posted."""
        rng = self.rng
        day = received if rng.random() > 0.1 else _add_workdays(received, rng.randint(1, 4), workday)
        at = aware(day, dt.time(13, 0)) + dt.timedelta(minutes=rng.randint(0, 240))
        return max(at, posted_at + dt.timedelta(minutes=30))


def _bisect(values: list[float], point: float) -> int:
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] < point:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _next_workday(day: dt.date, workday) -> dt.date:
    day += dt.timedelta(days=1)
    while not workday(day):
        day += dt.timedelta(days=1)
    return day


def _next_or_same_workday(day: dt.date, workday) -> dt.date:
    return day if workday(day) else _next_workday(day, workday)


def _add_workdays(day: dt.date, n: int, workday) -> dt.date:
    for _ in range(n):
        day = _next_workday(day, workday)
    return day


def _slot_day(at: dt.datetime, workday) -> dt.date:
    return _next_or_same_workday(at.date(), workday)
