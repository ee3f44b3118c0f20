"""Evaluation of a tender (评标): the expert draw with 回避 when the opening closes, the
objections to the publicized winning candidates, and the conclusion (定标). The
experts' declarations, scoring sheets and the lead's report: ``scoring``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tongban.core import clock, draws
from tongban.core.errors import DomainError
from tongban.core.models import DrawRecord
from tongban.intermediaries import errors
from tongban.intermediaries.models import (
    BidStatus,
    Expert,
    ExpertCoWork,
    Tender,
    TenderExpert,
    TenderObjection,
    TenderStatus,
)
from tongban.intermediaries.services.trading import _audit, _invalid, _lock, _state

CO_WORK_YEARS = 3  # 回避: worked with a bidder or the tenderer within three years


def _excluded_experts(tender: Tender, bidder_codes: list[str], now: dt.datetime) -> set[int]:
    """回避: experts employed by a bidder or the tenderer, or who worked with one recently."""
    parties = [*bidder_codes, tender.tenderer_code]
    since = clock.local_date(now) - dt.timedelta(days=365 * CO_WORK_YEARS)
    employed = Expert.objects.filter(employer_code__in=parties).values_list("pk", flat=True)
    worked = ExpertCoWork.objects.filter(entity_code__in=parties, until__gte=since).values_list(
        "expert_id", flat=True
    )
    return set(employed) | set(worked)


def tender_opening_close(
    *, tender: Tender, actor: Any = None, now: dt.datetime | None = None
) -> Tender:
    """End the opening: bids not decrypted are invalid; too few valid bids fail the tender;
    otherwise the experts are drawn (same engine, after 回避) and evaluation starts."""
    now = now or clock.now()
    with draws.draw_atomic():  # a failure after the draw deletes its candidate file again
        locked = _lock(tender)
        _state(locked, TenderStatus.OPENING)
        for bid in locked.bids.select_for_update().filter(status=BidStatus.SEALED):
            bid.status = BidStatus.INVALID
            bid.invalid_reason = "投标人未在开标时解密"
            bid.save(update_fields=["status", "invalid_reason"])
        valid = list(locked.bids.filter(status=BidStatus.OPENED))
        locked.opened_at = now
        if len(valid) < locked.min_bids:
            locked.status = TenderStatus.FAILED
            locked.result_note = f"有效投标不足 {locked.min_bids} 家，流标"
            locked.save(update_fields=["status", "opened_at", "result_note"])
            _audit(locked, "tender_failed", actor, now, valid=len(valid))
            return locked
        excluded = _excluded_experts(locked, [b.bidder_code for b in valid], now)
        pool = list(
            Expert.objects.filter(specialty=locked.expert_specialty, active=True)
            .exclude(pk__in=excluded)
            .values_list("code", flat=True)
        )
        if len(pool) < locked.expert_count:
            raise DomainError(
                errors.EXPERTS_INSUFFICIENT,
                f"“{locked.expert_specialty}”专业回避后仅有 {len(pool)} 名专家，"
                f"不足 {locked.expert_count} 名，请扩大专家库后再抽取。",
            )
        record = DrawRecord.objects.get(public_id=str(locked.expert_draw_public_id))
        record = draws.draw_run(record, candidates=pool, k=locked.expert_count, actor=actor)
        drawn = list(record.result or [])
        experts = {e.code: e for e in Expert.objects.filter(code__in=drawn)}
        # Seats in the draw's order; the first drawn chairs the committee (组长) and
        # writes its report once every sheet is in.
        TenderExpert.objects.bulk_create(
            [
                TenderExpert(tender=locked, expert=experts[code], seat=i, is_lead=i == 1)
                for i, code in enumerate(drawn, start=1)
            ]
        )
        locked.status = TenderStatus.EVALUATING
        locked.save(update_fields=["status", "opened_at"])
        _audit(
            locked, "experts_drawn", actor, now, draw=str(record.public_id), excluded=len(excluded)
        )
    return locked


def tender_objection_file(
    *,
    tender: Tender,
    filer_name: str,
    reason: str,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> TenderObjection:
    """An objection to the winning candidates, within the publicity period."""
    now = now or clock.now()
    if not (filer_name or "").strip() or len((reason or "").strip()) < 10:
        raise _invalid("异议须写明异议人和事由（至少 10 字）。", "reason")
    with transaction.atomic():
        locked = _lock(tender)
        if locked.status != TenderStatus.PUBLICITY or now >= (locked.publicity_ends_at or now):
            raise DomainError(errors.OBJECTION_CLOSED, "异议须在中标候选人公示期内提出。")
        objection = TenderObjection.objects.create(
            tender=locked, filer_name=filer_name.strip()[:200], reason=reason.strip(), filed_at=now
        )
        _audit(locked, "objection_file", actor, now, objection=objection.pk)
    return objection


def tender_objection_decide(
    *,
    objection: TenderObjection,
    upheld: bool,
    answer: str,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> TenderObjection:
    now = now or clock.now()
    if len((answer or "").strip()) < 4:
        raise _invalid("须写明答复（至少 4 个字）。", "answer")
    with transaction.atomic():
        tender = _lock(objection.tender)
        obj = TenderObjection.objects.select_for_update().get(pk=objection.pk)
        if obj.status != "pending":
            raise DomainError(errors.TENDER_INVALID_STATE, "该异议已处理。")
        obj.status = "upheld" if upheld else "dismissed"
        obj.answer = answer.strip()
        obj.decided_at = now
        obj.save(update_fields=["status", "answer", "decided_at"])
        if upheld and tender.status == TenderStatus.PUBLICITY:
            tender.status = TenderStatus.FAILED
            tender.result_note = f"异议成立：{answer.strip()}"[:300]
            tender.save(update_fields=["status", "result_note"])
        _audit(tender, "objection_decide", actor, now, objection=obj.pk, upheld=upheld)
    return obj


def tender_conclude(*, tender: Tender, actor: Any = None, now: dt.datetime | None = None) -> Tender:
    """定标 after the publicity period, with no objection pending: the first candidate wins."""
    now = now or clock.now()
    with transaction.atomic():
        locked = _lock(tender)
        _state(locked, TenderStatus.PUBLICITY)
        if now < (locked.publicity_ends_at or now):
            raise DomainError(errors.TENDER_INVALID_STATE, "公示期未满，不能定标。")
        if locked.objections.filter(status="pending").exists():
            raise DomainError(errors.OBJECTION_PENDING, "尚有未处理的异议。")
        first = locked.bids.get(rank=1)
        locked.status = TenderStatus.CONCLUDED
        locked.result_note = f"中标人：{first.bidder_name}，中标价 {first.price_fen or 0} 分"[:300]
        locked.save(update_fields=["status", "result_note"])
        _audit(locked, "tender_conclude", actor, now, winner=first.bidder_code)
    return locked
