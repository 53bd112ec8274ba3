"""What receivables adds to apps on its left without them importing it: review check 5
(receivables), prepayment coverage for check 4, and credit applied when a sale is posted."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesdesk.core import events
from salesdesk.orders import review
from salesdesk.receivables import selectors
from salesdesk.receivables.services import apply_credit, order_total
from salesdesk.warehouse.models import OutboundKind


def _receivables(order, by) -> review.Outcome:
    """Check 5: nothing overdue, and the balance with this order stays within the credit limit."""
    customer = order.customer
    overdue = selectors.overdue_amount(customer)
    reasons = []
    if overdue > 0:
        reasons.append(_("%(amount)s overdue") % {"amount": overdue})
    if customer.credit_limit is not None:
        owed = selectors.balance(customer)
        if owed + order_total(order) > customer.credit_limit:
            reasons.append(
                _("balance %(b)s plus this order %(o)s is over the credit limit %(l)s")
                % {"b": owed, "o": order_total(order), "l": customer.credit_limit}
            )
    if reasons:
        return review.Outcome(False, _("Receivables: %(r)s.") % {"r": "; ".join(reasons)})
    return review.Outcome(True)


review.register_check(
    review.Check(
        "receivables", gettext_lazy("Receivables in order"), _receivables, review.salesperson_or_manager
    ),
    before="stock",
)


def _prepaid(order) -> bool:
    """Check 4 passes when money received and not yet used covers the order (款到发货)."""
    owed = selectors.balance(order.customer)
    return owed + order_total(order) <= 0


review.PREPAYMENT_COVERAGE.append(_prepaid)


def _outbound_posted(*, outbound, by, lines=None) -> None:
    if outbound.kind == OutboundKind.SALE:
        apply_credit(customer=outbound.customer, by=by, sales=[outbound])


events.subscribe(events.OUTBOUND_POSTED, _outbound_posted)
