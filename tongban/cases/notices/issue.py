"""Issuing a document: its number, its text, its record and its event; then
its sealed PDF.

Issuing happens in the transition's transaction and is cheap: the number is
drawn, the text fixed (``CaseDocument.content``) and the verification code
made. The PDF is drawn and sealed with the department's electronic seal
(``certificates.seal.seal_pdf``, a PAdES signature) after commit by the task
worker (:func:`document_render`, issue 12: 15 ms of drawing and 150 ms of
signing no longer hold the case row and the number series locked). Whoever
needs the file first — a download, the verification page — renders it then
if the worker has not yet (:func:`document_ready`); rendering twice is not
possible (row lock, ``rendered_at``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from tongban.cases.models import (
    Case,
    CaseDocument,
    DocumentNumberSequence,
)
from tongban.cases.notices.content import (
    ISSUE_ATTEMPTS,
    SEQUENCE_DIGITS,
    NoticeContent,
    documents_for_transition,
    format_number,
    notice_content,
    number_series,
)
from tongban.cases.notices.render import render_content
from tongban.core import clock, events
from tongban.core.audit import audit_record
from tongban.core.counters import counter_next
from tongban.org.models import Department


def verification_url(code: str, *, base_url: str | None = None) -> str:
    """The absolute address of the public verification page of ``code``."""
    base = (base_url or settings.TONGBAN_PUBLIC_BASE_URL).rstrip("/")
    return base + reverse("portal:verify_document", args=[code])


def _file_stem(document: CaseDocument) -> str:
    return f"{document.case.case_no}-{document.kind}-v{document.case_version}-"


def _highest_issued(series: str) -> int:
    last = (
        CaseDocument.objects.filter(number__startswith=series)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return int(last[len(series) : len(series) + SEQUENCE_DIGITS]) if last else 0


def _next_number(department: Department, kind: str, year: int) -> str:
    """The series' next number from its counter row (locked until the caller's
    transaction ends). A series without a counter yet starts after the highest
    number already issued in it."""
    series = number_series(department, kind, year)
    last = counter_next(
        DocumentNumberSequence, key={"series": series}, start=lambda: _highest_issued(series) + 1
    )
    return format_number(series, last)


def document_issue(
    *,
    case: Case,
    kind: str,
    actor: Any = None,
    base_url: str | None = None,
    now: dt.datetime | None = None,
    locked: bool = False,
) -> CaseDocument:
    """Issue document ``kind`` on ``case``: number, text, record (the PDF follows).

    Idempotent per (case, kind, case version): issuing the same kind again on
    an unchanged case returns the document already issued.

    Numbering: one series per 机关代字, kind and year (in Asia/Shanghai), counted
    by a ``DocumentNumberSequence`` row in this transaction, so numbers are
    continuous and two cases never draw the same one. The case row is locked
    (so one case never issues the same document twice at once). Should a number
    exist already (a document written outside this service), the unique index
    refuses it and the next number is drawn.

    ``locked``: the caller holds ``case`` locked in its open transaction, read
    with its department, region, item and guide, and has just moved it to a new
    version (a transition service does): it is used as it is, no savepoint is
    opened around the issue, and no earlier document of the version is sought.
    """
    moment = now or clock.now()
    with transaction.atomic(savepoint=not locked):
        locked_case = case if locked else (
            # Only the case row: locking the joined department, item and guide
            # rows too would serialise a department's notices and deadlock with
            # submissions, whose foreign-key checks share-lock those rows.
            Case.objects.select_for_update(of=("self",))
            .select_related("department__region", "service_item", "guide_version")
            .get(pk=case.pk)
        )  # fmt: skip
        # A transition has just moved the locked case to a new version: no
        # document of that version can exist yet, so there is nothing to look up.
        existing = (
            None
            if locked
            else CaseDocument.objects.filter(
                case=locked_case, kind=kind, case_version=locked_case.version
            ).first()
        )
        if existing is not None:
            return existing
        year = clock.local_date(moment).year
        for attempt in range(ISSUE_ATTEMPTS):
            number = _next_number(locked_case.department, kind, year)
            code = secrets.token_urlsafe(12)  # 16 characters, 96 bits
            content = notice_content(
                locked_case,
                kind,
                number=number,
                verification_url=verification_url(code, base_url=base_url),
                issued_at=moment,
            )
            document = CaseDocument(
                case=locked_case,
                kind=kind,
                number=number,
                verification_code=code,
                issued_at=moment,
                case_version=locked_case.version,
                content=asdict(content),
            )
            try:
                with transaction.atomic():
                    document.save()
                break
            except IntegrityError:
                if attempt == ISSUE_ATTEMPTS - 1:
                    raise
        transaction.on_commit(lambda: _enqueue_render(document.pk))
        label = f"user:{actor.pk}" if getattr(actor, "pk", None) else "system"
        audit_record(
            actor=label,
            action="case.document_issue",
            object_type="case_document",
            object_id=document.number,
            details={
                "case_no": locked_case.case_no,
                "kind": kind,
                "case_version": locked_case.version,
            },
            now=moment,
        )
        events.emit(
            "case.document_issued",
            {"case_no": locked_case.case_no, "kind": kind, "number": document.number},
            now=moment,
        )
    return document


def documents_issue_for_transition(
    *,
    case: Case,
    action: str,
    actor: Any = None,
    now: dt.datetime | None = None,
    locked: bool = False,
) -> list[CaseDocument]:
    """Issue every document that ``action`` issues on ``case`` (the wiring point
    for the transition services; ``locked`` as for :func:`document_issue`)."""
    return [
        document_issue(case=case, kind=kind, actor=actor, now=now, locked=locked)
        for kind in documents_for_transition(case, action)
    ]


def _enqueue_render(document_id: int) -> None:
    from tongban.cases.tasks import case_document_render

    case_document_render.enqueue(document_id)


def document_render(*, document_id: int, now: dt.datetime | None = None) -> CaseDocument:
    """Draw the document's PDF from its fixed text, seal it with the issuing
    department's electronic seal, store it. Idempotent."""
    from tongban.certificates.seal import seal_pdf

    moment = now or clock.now()
    with transaction.atomic():
        document = (
            CaseDocument.objects.select_for_update(of=("self",))
            .select_related("case__department")
            .get(pk=document_id)
        )
        if document.rendered_at is not None:
            return document
        pdf = seal_pdf(
            render_content(NoticeContent(**document.content)),
            department=document.case.department,
            reason=f"{document.get_kind_display()} {document.number}",
            now=moment,
        )
        document.sha256 = hashlib.sha256(pdf).hexdigest()
        document.rendered_at = moment
        # A random part keeps stored names unguessable.
        name = f"{_file_stem(document)}{secrets.token_hex(4)}.pdf"
        document.file.save(name, ContentFile(pdf), save=False)
        document.save(update_fields=["file", "sha256", "rendered_at"])
        audit_record(
            actor="system",
            action="case.document_rendered",
            object_type="case_document",
            object_id=document.number,
            details={"sha256": document.sha256},
            now=moment,
        )
    return document


def document_ready(document: CaseDocument) -> CaseDocument:
    """The document with its sealed PDF, drawn now if the worker has not yet."""
    if document.rendered_at is not None:
        return document
    return document_render(document_id=document.pk)
