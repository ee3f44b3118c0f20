"""Pages of cases as the lists show them: the columns a row shows, and what its
clock reads, and nothing else.

A list row of 我的办件 or of the staff queue shows the case number, status,
item, applicant, receipt, decision deadline and the clock. The whole case row
is some 50 columns, four of them JSON documents (the form, its ciphertexts,
the rules snapshot, the exemptions) that a list never shows, and the item's
row 30 more; building, compiling and reading whole rows was more than half of
a list's Python (docs/performance.md). Suspensions are read only for the rows
whose decision clock runs, and the rules snapshot only for the rows whose
clock it moves (an open suspension, 第四十五条).
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from tongban.cases.models import Case, CaseSuspension
from tongban.cases.selectors.clock import clock_reads_suspensions

# What a row shows, what its clock reads (selectors.clock.case_clock), and the
# pagination keys.
SUMMARY_COLUMNS = (
    "case_no",
    "version",
    "status",
    "service_item",
    "applicant_name",
    "applicant_entity",
    "received_at",
    "received_on",
    "supplement_requested_on",
    "supplement_completed_on",
    "accepted_on",
    "deemed_accepted",
    "decided_on",
    "extension_days",
    "acceptance_deadline",
    "decision_deadline",
    "delivery_deadline",
    "service_item__implementation_code",
    "service_item__name",
)


def summary_columns(cases: QuerySet[Case]) -> QuerySet[Case]:
    """``cases`` reading only :data:`SUMMARY_COLUMNS` (with the item's code and name)."""
    return cases.select_related("service_item").only(*SUMMARY_COLUMNS)


# What the case page shows (cases.api.common._detail) and its clock reads: the
# whole case but its ciphertexts (form_secret), the rules snapshot (read by
# with_clock_inputs when an open suspension needs it) and the bookkeeping
# columns; of the item and the department only the names.
PAGE_COLUMNS = (
    *SUMMARY_COLUMNS,
    "tracking_code",
    "department",
    "department__name",
    "channel",
    "situation",
    "form_data",
    "commitment",
    "refused_on",
    "delivered_on",
    "concluded_at",
    "withdrawn_at",
    "outcome",
    "decision_reason",
    "decision_basis",
    "delivery_method",
    "tracking_no",
    "deferred_due_on",
    "exemptions",
)


def page_columns(cases: QuerySet[Case]) -> QuerySet[Case]:
    """``cases`` reading only :data:`PAGE_COLUMNS`."""
    return cases.select_related("service_item", "department").only(*PAGE_COLUMNS)


def with_clock_inputs(cases: list[Case]) -> list[Case]:
    """Read what :func:`~tongban.cases.selectors.clock.case_clock` needs of these
    rows beyond their columns: the suspensions of the rows whose decision
    clock runs (one query, none when no row's does) and the rules snapshot of
    those with an open suspension (one more, only then)."""
    running = [case for case in cases if clock_reads_suspensions(case)]
    if not running:
        return cases
    prefetch_related_objects(
        running,
        Prefetch(
            "suspensions",
            queryset=CaseSuspension.objects.only("case_id", "start_on", "end_on", "reason"),
        ),
    )
    moving = [c.pk for c in running if any(s.end_on is None for s in c.suspensions.all())]
    if moving:
        rules = dict(Case.objects.filter(pk__in=moving).values_list("pk", "rules"))
        for case in running:
            if case.pk in rules:
                case.rules = rules[case.pk]
    return cases
