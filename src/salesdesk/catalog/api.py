"""Products, agreed prices, rebate prices and carriers over the JSON API (v1).

Prices and rebates hang off a customer, so they follow the customer's scope (404 outside
it); the warehouse has no price permission at all and gets 403.
"""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from salesdesk.catalog import selectors, services
from salesdesk.catalog.models import Carrier, Product
from salesdesk.catalog.schemas import (
    CarrierIn,
    CarrierOut,
    CarrierPage,
    CarrierQuery,
    PriceIn,
    PriceList,
    PriceQuery,
    PriceSetOut,
    ProductIn,
    ProductOut,
    ProductPage,
    ProductQuery,
    ProductView,
    ProductWarehouseOut,
    RebateIn,
    RebateList,
    RebateOut,
    ReinstateIn,
    SuspendIn,
)
from salesdesk.core.api import RowId, require
from salesdesk.core.errors import DomainError
from salesdesk.core.roles import sees_prices
from salesdesk.core.schemas import ERRORS, page_of
from salesdesk.customers.api import CustomerCode
from salesdesk.customers.selectors import customer_get_for_user

router = Router()


def product_out(user, product: Product) -> ProductOut | ProductWarehouseOut:
    schema = ProductOut if sees_prices(user) else ProductWarehouseOut
    return schema.model_validate(product)


def _active_product(model_code: str) -> Product:
    product = Product.objects.filter(model_code=model_code, active=True).first()
    if product is None:
        raise DomainError(
            _("No active product with the model code %(code)s.") % {"code": model_code}, field="product"
        )
    return product


@router.get("/products", response={200: ProductPage, **ERRORS}, tags=["products"])
def product_list(request: HttpRequest, query: Query[ProductQuery]):
    require(request, "catalog.view_product")
    products = selectors.product_list(q=query.q, active_only=query.active_only, new_only=query.new_only)
    return page_of(products, query, lambda p: product_out(request.user, p))


@router.post("/products", response={201: ProductView, **ERRORS}, tags=["products"])
def product_create(request: HttpRequest, payload: ProductIn):
    require(request, "catalog.add_product")
    product = services.product_create(by=request.user, **payload.model_dump())
    return Status(201, product_out(request.user, product))


@router.get("/customers/{code}/prices", response={200: PriceList, **ERRORS}, tags=["prices"])
def price_list(request: HttpRequest, query: Query[PriceQuery], code: str = CustomerCode):
    """The agreed prices in force on a day (客户价格管理), or with `history` every row."""
    require(request, "catalog.view_customerprice")
    customer = customer_get_for_user(user=request.user, code=code)
    if query.history:
        rows = list(selectors.price_history(customer=customer))
    else:
        rows = list(selectors.prices_in_force(customer=customer, on=query.on or timezone.localdate()))
    return {"count": len(rows), "items": rows}


@router.post("/customers/{code}/prices", response={201: PriceSetOut, **ERRORS}, tags=["prices"])
def price_set(request: HttpRequest, payload: PriceIn, code: str = CustomerCode):
    """Agree a price from a day on; the answer lists rebate prices that may need to follow."""
    require(request, "catalog.add_customerprice")
    customer = customer_get_for_user(user=request.user, code=code)
    price, rebates = services.price_set(
        customer=customer,
        product=_active_product(payload.product),
        unit_price=payload.unit_price,
        valid_from=payload.valid_from,
        note=payload.note,
        by=request.user,
    )
    return Status(201, {"price": price, "rebates_to_review": rebates})


@router.get("/customers/{code}/rebates", response={200: RebateList, **ERRORS}, tags=["prices"])
def rebate_list(request: HttpRequest, query: Query[PriceQuery], code: str = CustomerCode):
    """Rebate prices and payees (客户回扣设置) in force on a day, or with `history` every row."""
    require(request, "catalog.view_rebateprice")
    customer = customer_get_for_user(user=request.user, code=code)
    if query.history:
        rows = list(selectors.rebate_history(customer=customer))
    else:
        rows = list(selectors.rebates_in_force(customer=customer, on=query.on or timezone.localdate()))
    return {"count": len(rows), "items": rows}


@router.post("/customers/{code}/rebates", response={201: RebateOut, **ERRORS}, tags=["prices"])
def rebate_set(request: HttpRequest, payload: RebateIn, code: str = CustomerCode):
    """Set a rebate price: needs the commission permission (回佣权限) and stays within 回佣额度."""
    require(request, "catalog.view_rebateprice")
    customer = customer_get_for_user(user=request.user, code=code)
    fields = payload.model_dump(exclude={"product"})
    rebate = services.rebate_set(
        customer=customer, product=_active_product(payload.product), by=request.user, **fields
    )
    return Status(201, rebate)


@router.get("/carriers", response={200: CarrierPage, **ERRORS}, tags=["carriers"])
def carrier_list(request: HttpRequest, query: Query[CarrierQuery]):
    require(request, "catalog.view_carrier")
    carriers = selectors.carriers_selectable() if query.active_only else Carrier.objects.all()
    return page_of(carriers.order_by("name"), query, CarrierOut.model_validate)


@router.post("/carriers", response={201: CarrierOut, **ERRORS}, tags=["carriers"])
def carrier_create(request: HttpRequest, payload: CarrierIn):
    require(request, "catalog.add_carrier")
    return Status(201, services.carrier_create(by=request.user, **payload.model_dump()))


@router.post("/carriers/{carrier_id}/suspend", response={200: CarrierOut, **ERRORS}, tags=["carriers"])
def carrier_suspend(request: HttpRequest, payload: SuspendIn, carrier_id: int = RowId):
    """Stop a carrier late with COD money or signed notes from being chosen for new shipments."""
    require(request, "catalog.suspend_carrier")
    carrier = get_object_or_404(Carrier, pk=carrier_id)
    return services.carrier_suspend(carrier=carrier, by=request.user, reason=payload.reason)


@router.post("/carriers/{carrier_id}/reinstate", response={200: CarrierOut, **ERRORS}, tags=["carriers"])
def carrier_reinstate(request: HttpRequest, payload: ReinstateIn = None, carrier_id: int = RowId):
    require(request, "catalog.suspend_carrier")
    carrier = get_object_or_404(Carrier, pk=carrier_id)
    return services.carrier_reinstate(carrier=carrier, by=request.user, note=payload.note if payload else "")
