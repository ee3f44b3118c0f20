"""The case page's documents, materials and history, by statements compiled
once per connection (``core.prepared``).

Each is a fixed-shape read of one case's rows (``case_id = %s``, in the
order the ORM reads them: documents and history by their model's ordering,
materials by id), reading only the columns the page shows. Building and
compiling the three statements through the ORM was a third of the case
page's Python (docs/performance.md, "2026-12-04 (night)"). The rows come
back as named tuples with the model's attribute names, so what renders a
model row renders them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from tongban.cases.models import CaseDocument, CaseEvent, CaseMaterial
from tongban.cases.selectors.history import TimelineEntry, timeline_entry
from tongban.core.prepared import PreparedRead


class PageDocument(NamedTuple):
    kind: str
    number: str
    issued_at: Any


class PageMaterial(NamedTuple):
    code: str
    name: str
    kind: str
    file_name: str
    content_type: str
    size: int
    supplied_at: Any


_EVENT_COLUMNS = ("at", "action", "from_status", "to_status", "actor_label", "reason", "details")

_DOCUMENTS = PreparedRead(
    CaseDocument,
    {"case_id": int},
    lambda case_id: CaseDocument.objects.filter(case_id=case_id).values_list(*PageDocument._fields),
)
_MATERIALS = PreparedRead(
    CaseMaterial,
    {"case_id": int},
    lambda case_id: (
        CaseMaterial.objects.filter(case_id=case_id)
        .order_by("id")
        .values_list(*PageMaterial._fields)
    ),
)
_EVENTS = PreparedRead(
    CaseEvent,
    {"case_id": int},
    lambda case_id: CaseEvent.objects.filter(case_id=case_id).values_list(*_EVENT_COLUMNS),
)


def page_documents(case_id: int) -> list[PageDocument]:
    """The case's documents (文书), as ``case.documents`` orders them."""
    return [PageDocument(*row) for row in _DOCUMENTS.rows(case_id=case_id)]


def page_materials(case_id: int) -> list[PageMaterial]:
    """The case's materials, in the order they were received."""
    return [PageMaterial(*row) for row in _MATERIALS.rows(case_id=case_id)]


def page_timeline(case_id: int) -> list[TimelineEntry]:
    """:func:`~tongban.cases.selectors.history.case_timeline` without the
    actors' names (the API's case page shows the actor's label to staff)."""
    return [
        timeline_entry(**dict(zip(_EVENT_COLUMNS, row, strict=True)))
        for row in _EVENTS.rows(case_id=case_id)
    ]
