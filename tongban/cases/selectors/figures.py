"""Counts: usage per basic item (search ranking) and 两个免于提交 per item."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from tongban.cases.models import Case, CaseMaterial, MaterialKind
from tongban.cases.selectors.staff import _staff_cases


def case_counts_by_basic_item(*, since: dt.datetime) -> dict[int, int]:
    """Cases received since ``since`` per basic item (every region, every
    channel): the usage signal of catalogue search (docs/catalog.md)."""
    rows = (
        Case.objects.filter(received_at__gte=since)
        .values("service_item__basic_item_id")
        .annotate(n=Count("id"))
        .values_list("service_item__basic_item_id", "n")
    )
    return {int(basic): int(n) for basic, n in rows}


@dataclass(frozen=True)
class ExemptionFigure:
    """两个免于提交 per service item: materials the applicants did not submit."""

    implementation_code: str
    item_name: str
    department_name: str
    cases: int
    exempted: int  # materials provided from government data

    @property
    def per_case(self) -> float:
        return round(self.exempted / self.cases, 2) if self.cases else 0.0


def exemption_figures_for_staff(*, user: Any, limit: int = 200) -> list[ExemptionFigure]:
    """Materials exempted per case, by item and department, in the caller's
    scope (scoped in SQL; two grouped queries)."""
    cases = _staff_cases(user=user)
    counts = {
        row["service_item"]: row
        for row in cases.values(
            "service_item",
            "service_item__implementation_code",
            "service_item__name",
            "department__name",
        ).annotate(n=Count("id"))[:limit]
    }
    exempted = dict(
        CaseMaterial.objects.filter(
            case__in=cases.filter(service_item__in=list(counts)),
            kind=MaterialKind.GOVERNMENT_DATA,
        )
        .values("case__service_item")
        .annotate(n=Count("id"))
        .values_list("case__service_item", "n")
    )
    figures = [
        ExemptionFigure(
            implementation_code=row["service_item__implementation_code"],
            item_name=row["service_item__name"],
            department_name=row["department__name"],
            cases=row["n"],
            exempted=exempted.get(item_id, 0),
        )
        for item_id, row in counts.items()
    ]
    return sorted(figures, key=lambda f: (-f.per_case, f.item_name))
