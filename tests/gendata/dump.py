"""Every row of every table, with ids replaced by their rank in their table, so two databases
written by different paths compare equal when they hold the same documents."""

from __future__ import annotations

from django.apps import apps
from django.db import models

SKIP = {"sessions.session", "admin.logentry", "contenttypes.contenttype", "auth.permission"}


def _ranks(model) -> dict:
    return {
        pk: rank for rank, pk in enumerate(model._default_manager.order_by("pk").values_list("pk", flat=True))
    }


def dump() -> dict[str, list[tuple]]:
    models_ = [m for m in apps.get_models() if m._meta.label_lower not in SKIP and not m._meta.proxy]
    ranks = {m: _ranks(m) for m in models_}
    by_label = {m._meta.label_lower: m for m in models_}
    tables = {}
    for model in models_:
        fields = [f for f in model._meta.concrete_fields if f.name != "password"]
        rows = []
        for values in model._default_manager.order_by("pk").values_list(*[f.attname for f in fields]):
            row = []
            for field, value in zip(fields, values, strict=True):
                if field.primary_key and not isinstance(field, models.ForeignKey | models.OneToOneField):
                    value = ranks[model][value]
                elif field.name == "id" and hasattr(model, "instance_type"):
                    # A history row names its object by a plain integer (PostgreSQL's sequences do
                    # not roll back, so the same object has another id in the second run).
                    value = ranks[model.instance_type].get(value, ("gone", value))
                elif isinstance(field, models.ForeignKey) and value is not None:
                    target = field.related_model
                    value = ranks[target].get(value, ("missing", value)) if target in ranks else value
                elif field.name == "object_id" and value:
                    label = (
                        row[[f.name for f in fields].index("object_type")]
                        if "object_type" in [f.name for f in fields]
                        else None
                    )
                    target = by_label.get(label)
                    if target is not None and str(value).isdigit():
                        value = ranks[target].get(int(value), ("missing", value))
                row.append(value)
            rows.append(tuple(row))
        tables[model._meta.label_lower] = rows
    return tables


def differences(a: dict, b: dict, limit: int = 5) -> list[str]:
    out = []
    for table in sorted(set(a) | set(b)):
        rows_a, rows_b = a.get(table, []), b.get(table, [])
        if rows_a == rows_b:
            continue
        out.append(f"{table}: {len(rows_a)} rows vs {len(rows_b)}")
        shown = 0
        for i, (ra, rb) in enumerate(zip(rows_a, rows_b, strict=False)):
            if ra != rb:
                out.append(f"  row {i}:\n    {ra}\n    {rb}")
                shown += 1
                if shown >= limit:
                    break
    return out
