"""Helpers shared by every app's forms."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from salesdesk.core.calendar import within_reach
from salesdesk.core.errors import DomainError, FieldErrors
from salesdesk.core.people import name_of


def _in_range(day: dt.date) -> None:
    if not within_reach(day):
        raise forms.ValidationError(_("Choose a date between 2000 and 2100."), code="date_range")


class DayField(forms.DateField):
    """A date field that takes the days salesdesk takes (`core.calendar.within_reach`)."""

    default_validators = [_in_range]


def iso_day_field(label, *, required: bool = True) -> DayField:
    """A `DayField` drawn as a date picker with its value in ISO form: a date input shows only ISO
    dates, and the localised format would leave it blank."""
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return DayField(label=label, required=required, widget=widget)


def show_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Put a service's refusal on the form, beside the field it names when the form has it."""
    errors = exc.errors if isinstance(exc, FieldErrors) else {exc.field or "__all__": [exc.message]}
    for field, messages in errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, str(message))


def users_with_role(role: str):
    return User.objects.filter(groups__name=role, is_active=True).order_by("username")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return name_of(obj)


class StyledForm:
    """Gives every widget Bootstrap's classes, so templates stay plain."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


def form_errors_text(form: forms.BaseForm) -> str:
    """A form's errors in one line, each after its field's label, for a message above the page
    (when the form lives in a panel that redirects rather than re-renders)."""
    return "; ".join(
        f"{form.fields[field].label}: {' '.join(errors)}" if field in form.fields else " ".join(errors)
        for field, errors in form.errors.items()
    )
