"""Reads of case handling (CONVENTIONS 2 and 5), one module per sub-domain.

Every staff read is filtered by the caller's data scope in SQL
(``org.selectors.scope_q``); every applicant read by the caller's own person
and the legal entities the account may act for. "Not yours" raises the same
``not_found`` as "does not exist", so a case number reveals nothing.

``staff``: scoped reads and the queue; ``applicants``: 我的办件 and one's own
case; ``lists``: the narrow pages the API lists; ``page``: the case page's
documents, materials and history by compiled statements; ``history``: the timeline
with its actors named; ``clock``: where the statutory clock stands;
``tracking``: 办件查询 without login; ``figures``: usage and 两个免于提交
counts. Everything is importable from here as before.
"""

from tongban.cases.selectors._common import NOT_FOUND_DETAIL
from tongban.cases.selectors.applicants import (
    APPLICANT_ORDERING,
    case_get_for_applicant,
    case_list_for_applicant,
    case_page_for_applicant,
    case_summaries_for_applicant,
)
from tongban.cases.selectors.clock import CaseClock, case_clock, clock_reads_suspensions
from tongban.cases.selectors.figures import (
    ExemptionFigure,
    case_counts_by_basic_item,
    exemption_figures_for_staff,
)
from tongban.cases.selectors.history import (
    INTERNAL_ACTIONS,
    ROLE_SHORT_LABELS,
    SYSTEM_LABEL,
    TimelineEntry,
    case_timeline,
    case_timeline_for_applicant,
    case_timeline_for_staff,
    timeline_actor_names,
)
from tongban.cases.selectors.page import (
    PageDocument,
    PageMaterial,
    page_documents,
    page_materials,
    page_timeline,
)
from tongban.cases.selectors.staff import (
    CASE_HANDLE_ROLES,
    CASE_READ_ROLES,
    STAFF_QUEUE_ORDERING,
    WINDOW_QUEUE_STATUSES,
    case_and_scope_for_handler,
    case_get_for_handler,
    case_get_for_staff,
    case_list_for_staff,
    case_page_for_staff,
    case_summaries_for_staff,
)
from tongban.cases.selectors.tracking import TrackingStep, TrackingView, case_track_public

__all__ = [
    "APPLICANT_ORDERING",
    "CASE_HANDLE_ROLES",
    "CASE_READ_ROLES",
    "INTERNAL_ACTIONS",
    "NOT_FOUND_DETAIL",
    "ROLE_SHORT_LABELS",
    "STAFF_QUEUE_ORDERING",
    "SYSTEM_LABEL",
    "WINDOW_QUEUE_STATUSES",
    "CaseClock",
    "ExemptionFigure",
    "PageDocument",
    "PageMaterial",
    "TimelineEntry",
    "TrackingStep",
    "TrackingView",
    "case_and_scope_for_handler",
    "case_clock",
    "case_counts_by_basic_item",
    "case_get_for_applicant",
    "case_get_for_handler",
    "case_get_for_staff",
    "case_list_for_applicant",
    "case_list_for_staff",
    "case_page_for_applicant",
    "case_page_for_staff",
    "case_summaries_for_applicant",
    "case_summaries_for_staff",
    "case_timeline",
    "case_timeline_for_applicant",
    "case_timeline_for_staff",
    "case_track_public",
    "clock_reads_suspensions",
    "exemption_figures_for_staff",
    "page_documents",
    "page_materials",
    "page_timeline",
    "timeline_actor_names",
]
