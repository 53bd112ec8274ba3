"""A demo company: one user per role, customers of all three series, products, prices,
rebates and the four carriers of the company's procedure.

Fills an empty database only; run through `salesdesk demo` or `salesdesk run --demo`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from salesdesk.catalog import services as catalog
from salesdesk.catalog.models import CarrierKind
from salesdesk.core.models import UserProfile
from salesdesk.core.roles import Role
from salesdesk.customers import services as customers
from salesdesk.customers.models import Customer

DEMO_PASSWORD = "salesdesk-demo-2026"  # noqa: S105  (printed for the demo, never in production)

USERS = [
    # username, display name, role, quoting permission, commission permission
    ("manager", "陆总", Role.MANAGER, True, True),
    ("assistant", "李敏（业务助理）", Role.ASSISTANT, True, True),
    ("assistant2", "陈新（新进业务助理）", Role.ASSISTANT, False, False),
    ("sales", "王强（业务员）", Role.SALESPERSON, False, False),
    ("sales2", "赵磊（业务员）", Role.SALESPERSON, False, False),
    ("warehouse", "张师傅（仓库）", Role.WAREHOUSE, False, False),
    ("finance", "刘会计（财务）", Role.FINANCE, False, False),
]

PRODUCTS = [
    # model code, name, spec, unit, standard price, new, selling points
    ("A-101", "水性木器漆 红色", "20kg/桶", "桶", "380.00", False, "低气味，快干，耐黄变"),
    ("A-102", "水性木器漆 白色", "20kg/桶", "桶", "360.00", False, "遮盖力强"),
    ("B-220", "外墙乳胶漆", "18L/桶", "桶", "265.00", False, "耐候十年，防霉"),
    ("B-221", "内墙乳胶漆", "18L/桶", "桶", "198.00", False, "净味环保"),
    ("C-310", "色浆 中黄", "1L/瓶", "瓶", "45.00", False, "高浓度，调色稳定"),
    ("C-311", "色浆 铁红", "1L/瓶", "瓶", "42.00", False, ""),
    ("D-500", "环氧地坪漆", "20kg/组", "组", "520.00", True, "新品：耐磨抗压，适合厂房车库"),
    ("E-600", "真石漆", "25kg/桶", "桶", "230.00", True, "新品：仿石效果逼真"),
]

CARRIERS = [
    ("联昊通", CarrierKind.COURIER, "珠三角及省内快件", True, True),
    ("源伟丰", CarrierKind.COURIER, "珠三角及省内快件", True, True),
    ("平安达", CarrierKind.COURIER, "珠三角及省内快件", True, True),
    ("申通", CarrierKind.COURIER, "外省文件", False, False),
]


def demo_is_needed() -> bool:
    return not User.objects.exists() and not Customer.objects.exists()


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Create the demo company. Returns (username, password, role label) to print."""
    users = {}
    for username, display, role, quote, rebate in USERS:
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD, first_name=display)
        user.groups.add(Group.objects.get(name=role.value))
        if role == Role.MANAGER:
            user.is_staff = True
            user.save()
        profile = UserProfile.objects.create(user=user, display_name=display)
        if rebate and role != Role.MANAGER:
            profile.max_rebate_per_unit = Decimal("30")
            profile.save()
        for codename, granted in (("quote_price", quote), ("set_rebate", rebate)):
            if granted and role != Role.MANAGER:
                user.user_permissions.add(_perm(codename))
        users[username] = user
    manager = users["manager"]
    products = {
        code: catalog.product_create(
            by=manager,
            model_code=code,
            name=name,
            specification=spec,
            unit=unit,
            standard_price=Decimal(price),
            is_new=new,
            selling_points=points,
        )
        for code, name, spec, unit, price, new, points in PRODUCTS
    }
    for name, kind, area, cod, notes in CARRIERS:
        catalog.carrier_create(
            by=manager, name=name, kind=kind, service_area=area, can_collect_cod=cod, can_return_notes=notes
        )
    _demo_customers(users, products)
    _demo_money(users, products)
    _demo_calls_and_orders(users, products)
    return [(u, DEMO_PASSWORD, str(r.label)) for u, _d, r, _q, _c in USERS]


def _perm(codename: str):
    from django.contrib.auth.models import Permission

    return Permission.objects.get(content_type__app_label="core", codename=codename)


def _demo_customers(users, products) -> None:
    assistant, sales, sales2 = users["assistant"], users["sales"], users["sales2"]
    # sales2's customers are looked after by the second assistant, so scoping shows.
    assistant_of = {sales.pk: assistant, sales2.pk: users["assistant2"]}
    manager = users["manager"]
    start = timezone.localdate() - dt.timedelta(days=90)
    complete = dict(
        settlement="transfer",
        receipt_seal="kedi_received",
        shipping_notes="送货前电话联系，工作日 9:00-17:00 收货",
    )
    specs = [
        (
            "GS",
            "佛山市顺德区美家装饰工程有限公司",
            "顺德",
            "广东",
            "佛山",
            "顺德区大良街道新桂路 18 号",
            sales,
            30,
            True,
            False,
            [("黄志明", "13800138001", "采购")],
        ),
        (
            "GS",
            "广州市天河区彩虹涂料经营部",
            "天河",
            "广东",
            "广州",
            "天河区龙口西路 66 号",
            sales,
            0,
            False,
            True,
            [("何丽", "13922200001", "老板娘")],
        ),
        (
            "YW",
            "东莞市长安镇华艺家具厂",
            "长安",
            "广东",
            "东莞",
            "长安镇乌沙工业区 3 栋",
            sales,
            60,
            True,
            True,
            [("梁永华", "13711100002", "厂长"), ("周小红", "0769-85550001", "会计")],
        ),
        (
            "YW",
            "中山市小榄镇雅居装修队",
            "小榄",
            "广东",
            "中山",
            "小榄镇民安中路 201 号",
            sales2,
            0,
            False,
            False,
            [("苏国强", "13612300003", "包工头")],
        ),
        (
            "KD",
            "湖南长沙星城涂料代理有限公司",
            "长沙",
            "湖南",
            "长沙",
            "岳麓区枫林二路 88 号",
            sales2,
            0,
            True,
            False,
            [("刘建国", "13973100004", "总经理")],
        ),
    ]
    for series, name, region, province, city, address, salesperson, days, invoice, rebate, contacts in specs:
        extra = (
            {"invoice_day": 25, "invoice_title": name, "tax_id": "91440600MA4UXXXX" + series}
            if invoice
            else {}
        )
        customer = customers.customer_create(
            by=assistant,
            series=series,
            name=name,
            region=region,
            province=province,
            city=city,
            address=address,
            salesperson=salesperson,
            assistant=assistant_of[salesperson.pk],
            rebate=rebate,
            invoice_required=invoice,
            contacts=[{"name": n, "phone": p, "role": r} for n, p, r in contacts],
            **complete,
            **extra,
        )
        if days:
            application = customers.credit_application_submit(
                customer=customer, by=assistant, credit_days=days, reason="老客户，信用良好"
            )
            customers.credit_application_decide(
                application=application, by=manager, approve=True, note="同意"
            )
        for code in ("A-101", "B-220", "C-310", "D-500"):
            price = products[code].standard_price * Decimal("0.92")
            catalog.price_set(
                customer=customer, product=products[code], unit_price=price, valid_from=start, by=assistant
            )
        if rebate:
            for code in ("A-101", "B-220", "B-221"):
                catalog.rebate_set(
                    customer=customer,
                    product=products[code],
                    rebate_unit_price=Decimal("12.00"),
                    valid_from=start,
                    by=assistant,
                    payee_name="黄先生",
                    payee_bank="中国工商银行佛山分行",
                    payee_account="6222 0000 1234 5678",
                )
    # A new customer whose master data is still being collected: the first order must wait.
    customers.customer_create(
        by=assistant,
        series="YW",
        name="江门市蓬江区新客户五金店",
        province="广东",
        city="江门",
        salesperson=sales,
        assistant=assistant,
        credit_days=30,
    )


def _demo_calls_and_orders(users, products) -> None:
    """A morning's work: calls (one question still open), and orders in each state."""
    from salesdesk.calls import services as calls
    from salesdesk.catalog.models import Carrier
    from salesdesk.orders import services as orders

    assistant, assistant2, manager = users["assistant"], users["assistant2"], users["manager"]
    by_code = {c.code: c for c in Customer.objects.all()}
    courier = Carrier.objects.get(name="联昊通")
    call = calls.call_log(
        by=assistant,
        customer=by_code["GS00001"],
        contact_name="黄志明",
        phone="13800138001",
        need="A-101 红色 20 桶，B-220 5 桶，明天要",
        duration_minutes=3,
    )
    prospect = calls.call_log(
        by=assistant,
        company="江门市新光五金店",
        contact_name="李先生",
        phone="0750-3330001",
        address="江门市蓬江区建设路 1 号",
        need="问环氧地坪漆 D-500 能否做哑光",
        duration_minutes=4,
    )
    calls.follow_up_raise(
        call=prospect, by=assistant, question="D-500 能否做哑光？价格多少？", assigned_to=manager
    )

    def line(code: str, quantity: str, price: str | None = None) -> orders.LineInput:
        return orders.LineInput(
            product=products[code], quantity=Decimal(quantity), unit_price=Decimal(price) if price else None
        )

    express = {"channel": "phone", "ship_method": "express", "carrier": courier, "collection_method": "cod"}
    released = orders.order_register(
        order=orders.order_create(
            by=assistant,
            customer=by_code["GS00001"],
            call=call,
            lines=[line("A-101", "20"), line("B-220", "5")],
            **express,
        ),
        by=assistant,
    )
    orders.order_release(order=released, by=assistant)
    orders.order_register(
        order=orders.order_create(
            by=assistant,
            customer=by_code["YW00001"],
            lines=[line("C-310", "12"), line("D-500", "2")],
            **express,
        ),
        by=assistant,
    )
    # A new assistant quoting below the agreed price: held until someone who may quote accepts it.
    orders.order_register(
        order=orders.order_create(
            by=assistant2,
            customer=by_code["YW00002"],
            channel="sp_sms",
            ship_method="delivery",
            collection_method="cash",
            lines=[line("A-101", "10", "300.00")],
        ),
        by=assistant2,
    )
    # An out-of-province agent: payment before shipping (款到发货) holds it.
    orders.order_register(
        order=orders.order_create(
            by=assistant2,
            customer=by_code["KD00001"],
            channel="fax",
            ship_method="freight",
            collection_method="account",
            lines=[line("B-220", "40")],
        ),
        by=assistant2,
    )
    # A cash customer still owing for six weeks: check 5 (receivables) holds its new order.
    orders.order_register(
        order=orders.order_create(
            by=assistant,
            customer=by_code["GS00002"],
            lines=[line("B-221", "8")],
            channel="sp_oral",
            ship_method="pickup",
            collection_method="cash",
        ),
        by=assistant,
    )
    # A factory floor wants more epoxy than the warehouse holds: production is asked for the rest.
    orders.order_register(
        order=orders.order_create(
            by=assistant,
            customer=by_code["GS00001"],
            lines=[line("D-500", "520")],
            channel="phone",
            ship_method="delivery",
            collection_method="account",
        ),
        by=assistant,
    )
    # An order still being taken down: not yet in the register.
    orders.order_create(
        by=assistant,
        customer=by_code["GS00001"],
        lines=[line("A-102", "3")],
        channel="phone",
        ship_method="pickup",
        collection_method="cash",
    )


def _as_of(day: dt.date):
    """Enter what follows as if on `day` at 10:00: documents take their dates from the clock."""
    from unittest import mock

    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    return mock.patch("django.utils.timezone.now", return_value=moment)


def _demo_money(users, products) -> None:
    """Two months of history: stock, sales shipped and paid, a return, an overdue cash
    customer, COD still with the courier, an invoice, a receipt slip and a statement."""
    from salesdesk.catalog.models import Carrier
    from salesdesk.orders import services as orders
    from salesdesk.receivables import services as receivables
    from salesdesk.receivables import services_credits as credits
    from salesdesk.receivables import services_documents as documents
    from salesdesk.warehouse import services as warehouse

    assistant, manager, sales = users["assistant"], users["manager"], users["sales"]
    clerk, finance = users["warehouse"], users["finance"]
    by_code = {c.code: c for c in Customer.objects.all()}
    courier = Carrier.objects.get(name="联昊通")
    today = timezone.localdate()

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    with _as_of(ago(80)):
        for product in products.values():
            warehouse.stock_inbound(product=product, quantity=Decimal("500"), by=clerk, reason="期初库存")

    def sold(code: str, lines: dict[str, str], days_ago: int, **how):
        with _as_of(ago(days_ago)):
            how = how or {"ship_method": "pickup", "collection_method": "cash"}
            order = orders.order_create(
                by=assistant,
                customer=by_code[code],
                channel="phone",
                lines=[orders.LineInput(product=products[c], quantity=Decimal(q)) for c, q in lines.items()],
                **how,
            )
            order = orders.order_release(order=orders.order_register(order=order, by=assistant), by=assistant)
            take = [
                warehouse.ShipQuantity(order_line=line, quantity=line.quantity) for line in order.lines.all()
            ]
            draft = warehouse.outbound_create(order=order, by=clerk, quantities=take)
            return warehouse.outbound_post(outbound=draft, by=clerk)

    # GS00001, 30 days' credit: an old sale paid by transfer, a recent one sent COD and not yet back.
    first = sold("GS00001", {"A-101": "30"}, 60)
    with _as_of(ago(28)):
        receipts_paid = receivables.receipt_create(
            customer=by_code["GS00001"],
            by=assistant,
            amount=first.amount,
            received_on=ago(28),
            method="transfer",
            reference="工行 8812",
        )
    receivables.receipt_reached_finance(receipt=receipts_paid, by=finance, on=ago(27))
    express = {"ship_method": "express", "carrier": courier, "collection_method": "cod"}
    recent = sold("GS00001", {"B-220": "10"}, 6, **express)
    with _as_of(ago(6)):
        warehouse.shipment_record(
            outbound=recent,
            by=clerk,
            carrier=courier,
            tracking_number="LHT20261121",
            shipped_on=ago(6),
            cod_amount=recent.amount,
            note_required=True,
        )
        invoice = documents.invoice_issue(
            customer=by_code["GS00001"], by=assistant, number="44001234", issued_on=ago(6), outbounds=[first]
        )
        documents.invoice_mail(invoice=invoice, by=assistant, carrier=courier, tracking_number="LHT-FP-0601")
    # YW00001, 60 days' credit: a sale, part of it returned (wrong colour), a statement sent.
    colours = sold("YW00001", {"C-310": "12", "A-101": "8"}, 50)
    with _as_of(ago(45)):
        line = colours.lines.get(product=products["C-310"])
        credits.return_post(
            original=colours,
            by=assistant,
            lines=[credits.ReturnLineInput(original_line=line, quantity=Decimal("2"))],
            reason="客户订错颜色",
            agreed_by=sales,
        )
    with _as_of(ago(20)):
        last_month_end = today.replace(day=1) - dt.timedelta(days=1)
        statement = documents.statement_create(
            customer=by_code["YW00001"],
            by=assistant,
            period_from=min(ago(60), last_month_end.replace(day=1)),
            period_to=min(ago(20), last_month_end),
        )
        documents.statement_mark_sent(statement=statement, by=assistant)
    # YW00001 paid early in the month; its commission (回佣) for last month was approved and paid.
    from salesdesk.commissions import services as commissions
    from salesdesk.receivables.selectors import open_sales

    with _as_of(ago(24)):
        receivables.receipt_create(
            customer=by_code["YW00001"],
            by=assistant,
            amount=sum(sale.open_amount for sale in open_sales(by_code["YW00001"])),
            received_on=ago(24),
            method="transfer",
            reference="农行 3307",
        )
    with _as_of(ago(23)):
        (rebates,) = commissions.statements_build(month=colours.posting_date, by=assistant)
    with _as_of(ago(22)):
        commissions.statement_approve(statement=rebates, by=finance)
    with _as_of(ago(21)):
        commissions.statement_pay(statement=rebates, by=finance, paid_on=ago(21), reference="付佣 0001")
    # GS00002, cash customer: a sale 40 days ago still unpaid, so its next order is held.
    overdue = sold("GS00002", {"B-221": "20"}, 40)
    with _as_of(ago(10)):
        part = receivables.receipt_create(
            customer=by_code["GS00002"],
            by=assistant,
            amount=Decimal("1000.00"),
            received_on=ago(10),
            method="cash",
            note="客户先付一部分，余款月底结清",
        )
        documents.slip_issue(receipt=part, by=assistant)
    credits.write_off_request(
        customer=by_code["GS00002"],
        by=finance,
        items=[credits.WriteOffInput(sale=overdue, amount=Decimal("16.80"))],
        reason="零头，客户不认",
    )
    del manager  # approving the write-off is left for the demo manager to do
