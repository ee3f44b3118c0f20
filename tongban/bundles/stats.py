"""The figures of a bundle (issue 11 #10; R-AN-2: every target measurable).

Per bundle: how many applications, how many have all their results, the
median and 90th-percentile working days from submission to the last result
(``ready_on``: the day the bundle became ready for the one combined result),
the share of those within the bundle's promised deadline, and the fields and
materials an applicant is spared against filing each member separately.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tongban.bundles.deadlines import percentile, working_days_taken
from tongban.bundles.models import Bundle, BundleApplication
from tongban.bundles.selectors import bundle_view
from tongban.core.calendar import get_calendar


@dataclass(frozen=True)
class BundleFigures:
    applications: int
    with_all_results: int
    median_working_days: float | None
    p90_working_days: float | None
    within_limit_share: float | None
    fields_separate: int
    fields_merged: int
    fields_saved: int
    materials_separate: int
    materials_merged: int
    materials_saved: int


def bundle_figures(bundle: Bundle) -> BundleFigures:
    """Two queries over the applications (a count and the finished ones' dates)."""
    cal = get_calendar()
    rows: list[tuple[dt.date, dt.date, dt.date | None]] = [
        (received, ready, deadline)
        for received, ready, deadline in BundleApplication.objects.filter(
            bundle=bundle, ready_on__isnull=False
        ).values_list("received_on", "ready_on", "deadline")
        if ready is not None
    ]
    taken = [working_days_taken(received, ready, cal) for received, ready, _ in rows]
    within = sum(1 for _, ready, deadline in rows if deadline is None or ready <= deadline)
    merge = bundle_view(bundle).merge
    return BundleFigures(
        applications=BundleApplication.objects.filter(bundle=bundle).count(),
        with_all_results=len(rows),
        median_working_days=percentile(taken, 0.5),
        p90_working_days=percentile(taken, 0.9),
        within_limit_share=round(within / len(rows), 4) if rows else None,
        fields_separate=merge.separate_fields,
        fields_merged=len(merge.asked_fields),
        fields_saved=merge.fields_saved,
        materials_separate=merge.separate_materials,
        materials_merged=len(merge.materials_to_submit),
        materials_saved=merge.materials_saved,
    )
