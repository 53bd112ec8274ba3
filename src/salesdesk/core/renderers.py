"""Django's form renderer, with select boxes drawn in Python.

Django draws a select box through a template, and each of its options through two more (the
option and its attributes): about 30 µs an option. The order form's five selects took about 2 ms
of the page, a report's two lists of people 1.4 ms. `QuickSelects` writes the same HTML, byte
for byte, from the same context the template gets (`tests/core/test_renderers.py` holds the two
equal for any choices and attributes); every other widget, and an option drawn by a template of
its own, still goes through the templates.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.safestring import SafeData

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
_AUTOESCAPED = Context()  # as the widget templates are rendered


def _shown(value) -> str:
    """`{{ value }}`."""
    return render_value_in_context(value, _AUTOESCAPED)


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: text, kept safe when the value was."""
    if isinstance(value, tuple):
        value = str(value)
    try:
        text = "%s" % value  # noqa: UP031  (as the filter formats it)
    except (ValueError, TypeError):
        text = ""
    return text if isinstance(value, SafeData) else _shown(text)  # the filter keeps safe text safe


def _attrs(attrs: dict) -> str:
    """`django/forms/widgets/attrs.html`."""
    return "".join(
        f" {_shown(name)}" + ("" if value is True else f'="{_formatted(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


def draw_select(widget: dict) -> str | None:
    """`django/forms/widgets/select.html` for the widget's context, or None when an option is
    drawn by a template of its own."""
    parts = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in options:
            if option["template_name"] != OPTION:
                return None
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_shown(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class QuickSelects(DjangoTemplates):
    """Django's renderer, drawing select boxes in Python (`draw_select`)."""

    def render(self, template_name, context, request=None):
        if template_name == SELECT:
            drawn = draw_select(context["widget"])
            if drawn is not None:
                return drawn
        return super().render(template_name, context, request)
