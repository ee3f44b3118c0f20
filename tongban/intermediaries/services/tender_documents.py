"""Tender documents as uploaded files, and clarifications (答疑澄清) pushed to the bidders.

An uploaded tender document (招标文件) is checked from its bytes by the platform's
upload check (PDF, OFD or an image; ``cases.services.uploads``), stored under a
safe name with its SM3 published beside it, and never edited. A clarification is
published through ``trading.tender_document_add`` (before the bid deadline only);
every bidder that has sent a bid is told by SMS, kept in its inbox (站内信).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from tongban.cases.services.uploads import detect_type, safe_file_name
from tongban.core import clock, crypto
from tongban.core.errors import DomainError
from tongban.core.notifications import notification_send
from tongban.identity.selectors import PHONE_CONTEXT as PERSON_PHONE_CONTEXT
from tongban.intermediaries import errors, sealing
from tongban.intermediaries.models import Agency, Tender, TenderDocument, TenderStatus
from tongban.intermediaries.services.agencies import agency_phone
from tongban.intermediaries.services.trading import (
    _audit,
    _invalid,
    _lock,
    _state,
    refused,
    tender_publish,
)

PUSH_LIMIT = 2000  # bidders told of one clarification (a tender has far fewer)


def tender_document_upload(
    *,
    tender: Tender,
    title: str,
    content: bytes,
    file_name: str,
    note: str = "",
    actor: Any = None,
    now: dt.datetime | None = None,
) -> TenderDocument:
    """Publish an uploaded tender document (招标文件) before the bid deadline."""
    now = now or clock.now()
    name = " ".join((title or "").split())
    if not name or len(name) > 200:
        raise _invalid("文件标题不能为空，且不超过 200 字。", "title")
    try:
        content_type = detect_type(content, "招标文件")
    except DomainError as exc:
        raise _invalid(exc.detail, "file") from None
    shown = safe_file_name(file_name, content_type=content_type, fallback=name[:50])
    digest = sealing.sm3(content)
    with transaction.atomic():
        locked = _lock(tender)
        _state(locked, TenderStatus.BIDDING)
        if now >= locked.bid_deadline:
            raise refused(
                errors.BID_DEADLINE_PASSED, "投标截止后不能再发布招标文件。", locked, actor
            )
        document = TenderDocument(
            tender=locked,
            kind="document",
            title=name,
            content=(note or "").strip()[:2000] or f"招标文件：{shown}",
            sm3=digest,
            published_at=now,
            file_name=shown,
            file_type=content_type,
        )
        document.file.save(f"{locked.code}-{digest[:16]}{shown[-4:]}", ContentFile(content), False)
        document.save()
        _audit(locked, "tender_document_upload", actor, now, sm3=digest, name=shown)
    return document


def _bidder_phone(bid_entity: Any, agencies: dict[str, Agency]) -> str:
    """The listed agency's contact phone, else the legal representative's phone."""
    agency = agencies.get(bid_entity.credit_code)
    try:
        if agency is not None:
            return agency_phone(agency)
        person = bid_entity.legal_representative
        return crypto.decrypt(person.phone_enc, context=PERSON_PHONE_CONTEXT) if person else ""
    except DomainError:
        return ""


def clarification_push(tender: Tender, document: TenderDocument, now: dt.datetime) -> int:
    """Tell every bidder of the tender about a clarification (after the commit)."""
    bids = list(
        tender.bids.select_related("bidder_entity__legal_representative").order_by("id")[
            :PUSH_LIMIT
        ]
    )
    codes = [b.bidder_code for b in bids]
    agencies = {a.credit_code: a for a in Agency.objects.filter(credit_code__in=codes)}
    phones = {p for p in (_bidder_phone(b.bidder_entity, agencies) for b in bids) if p}

    def send() -> None:
        for phone in sorted(phones):
            notification_send(
                channel="sms",
                recipient=phone,
                subject=f"答疑澄清：{tender.title}",
                body=f"交易项目{tender.code}“{tender.title}”发布了澄清“{document.title}”，"
                "请登录通办平台查看，投标文件须按澄清内容编制。",
                purpose="trading.clarification",
                object_type="trading.tender",
                object_id=tender.code,
                now=now,
            )

    transaction.on_commit(send)
    return len(phones)


def tender_announce(
    *,
    document: tuple[str, bytes] | None = None,
    actor: Any = None,
    now: dt.datetime | None = None,
    **announcement: Any,
) -> Tender:
    """Announce a tender (``trading.tender_publish``) with its uploaded tender document
    (file name, bytes) in one transaction: a bad file leaves no tender behind."""
    now = now or clock.now()
    if document is not None:
        try:
            detect_type(document[1], "招标文件")
        except DomainError as exc:
            raise _invalid(exc.detail, "file") from None
    with transaction.atomic():
        tender = tender_publish(actor=actor, now=now, **announcement)
        if document is not None:
            tender_document_upload(
                tender=tender,
                title="招标文件",
                content=document[1],
                file_name=document[0],
                actor=actor,
                now=now,
            )
    return tender
