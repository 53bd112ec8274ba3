"""Select boxes drawn in Python (`core.renderers.QuickSelects`) are the HTML Django's templates
draw, byte for byte, whatever the choices, the value chosen and the attributes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.contrib.auth.models import User
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe
from hypothesis import given, settings
from hypothesis import strategies as st

from salesdesk.core.forms import UserChoiceField
from salesdesk.core.renderers import QuickSelects
from salesdesk.orders.forms import OrderHeaderForm
from salesdesk.orders.models import OrderStatus

TEMPLATES = DjangoTemplates()
QUICK = QuickSelects()

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
value = st.one_of(text, st.integers(-5, 10**6), st.decimals(allow_nan=False, allow_infinity=False, places=2))
label = st.one_of(text, st.integers(), st.builds(mark_safe, text))
choice = st.tuples(value, label)
group = st.tuples(text.filter(bool), st.lists(choice, max_size=4))
attr = st.one_of(st.booleans(), text, st.integers(), st.none())


def both(widget: forms.Widget, name: str, chosen) -> tuple[str, str]:
    return (
        widget.render(name, chosen, renderer=TEMPLATES),
        widget.render(name, chosen, renderer=QUICK),
    )


@settings(max_examples=300, deadline=None)
@given(
    choices=st.lists(st.one_of(choice, group), max_size=6),
    chosen=st.one_of(st.none(), value, st.lists(value, max_size=3)),
    attrs=st.dictionaries(st.sampled_from(["class", "id", "data-x", "disabled", "required", "title"]), attr),
    name=text,
    multiple=st.booleans(),
)
def test_a_select_is_drawn_as_the_templates_draw_it(choices, chosen, attrs, name, multiple):
    widget = (forms.SelectMultiple if multiple else forms.Select)(attrs=attrs, choices=choices)
    templates, quick = both(widget, name, chosen)
    assert quick == templates


def test_the_characters_html_gives_meaning_are_escaped_as_the_templates_escape_them():
    widget = forms.Select(
        attrs={"title": 'a "b" <c>', "data-safe": mark_safe("<i>")},
        choices=[
            ('"x"&<y>', "<b>bold</b>"),
            (mark_safe("<z>"), mark_safe("<em>ok</em>")),
            (Decimal("1.50"), 7),
        ],
    )
    templates, quick = both(widget, 'n"<', '"x"&<y>')
    assert quick == templates
    assert "&lt;b&gt;bold&lt;/b&gt;" in quick and "<em>ok</em>" in quick and " selected" in quick


@pytest.mark.django_db
def test_the_project_renders_selects_quickly_and_the_order_form_reads_the_same(assistant, salesperson):
    assert isinstance(get_default_renderer(), QuickSelects)
    form = OrderHeaderForm(user=assistant, initial={"salesperson": salesperson.pk})
    for field in ("channel", "ship_method", "carrier", "collection_method", "salesperson"):
        bound = form[field]
        widget = form.fields[field].widget
        attrs = {"id": bound.auto_id}
        templates = widget.render(bound.html_name, bound.value(), attrs=attrs, renderer=TEMPLATES)
        assert str(bound) == templates, field


def test_a_user_list_and_a_status_list_draw_the_same():
    users = UserChoiceField(queryset=User.objects.none(), required=False, empty_label="全部")
    status = forms.ChoiceField(choices=[("", "—"), *OrderStatus.choices])
    for field, chosen in ((users, ""), (status, OrderStatus.ON_HOLD)):
        templates, quick = both(field.widget, "f", chosen)
        assert quick == templates
