"""Evaluation of a tender (评标): the expert draw with 回避 when the opening closes,
the experts' scoring sheets and the ranking, the publicity of the winning candidates
with objections, and the conclusion (定标)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction

from tongban.core import clock, draws
from tongban.core import errors as core_errors
from tongban.core.errors import DomainError
from tongban.core.models import DrawRecord
from tongban.intermediaries import errors
from tongban.intermediaries.models import (
    BidStatus,
    Expert,
    ExpertCoWork,
    Tender,
    TenderBid,
    TenderExpert,
    TenderObjection,
    TenderScore,
    TenderStatus,
)
from tongban.intermediaries.services._common import end_of_working_days
from tongban.intermediaries.services.trading import _audit, _invalid, _lock, _state

CO_WORK_YEARS = 3  # 回避: worked with a bidder or the tenderer within three years
PUBLICITY_WORKING_DAYS = 3  # 中标候选人公示 not less than 3 days (招标投标法实施条例 第五十四条)


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
    with transaction.atomic():
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
        experts = Expert.objects.filter(code__in=record.result or [])
        TenderExpert.objects.bulk_create([TenderExpert(tender=locked, expert=e) for e in experts])
        locked.status = TenderStatus.EVALUATING
        locked.save(update_fields=["status", "opened_at"])
        _audit(
            locked, "experts_drawn", actor, now, draw=str(record.public_id), excluded=len(excluded)
        )
    return locked


def score_submit(
    *,
    tender: Tender,
    expert_code: str,
    scores: dict[int, int],
    actor: Any = None,
    now: dt.datetime | None = None,
) -> TenderExpert:
    """An expert's scoring sheet: one score 0–100 for every valid bid, once. When the last
    expert has scored, bids are ranked by average and the first three publicized."""
    now = now or clock.now()
    with transaction.atomic():
        locked = _lock(tender)
        _state(locked, TenderStatus.EVALUATING)
        seat = (
            TenderExpert.objects.select_for_update()
            .filter(tender=locked, expert__code=expert_code)
            .first()
        )
        if seat is None:
            raise DomainError(core_errors.PERMISSION_DENIED, "该专家未被抽中评审本项目。")
        if seat.scored_at is not None:
            raise DomainError(errors.SCORE_INVALID, "评分表已提交，不能修改。")
        valid = {b.pk: b for b in locked.bids.filter(status=BidStatus.OPENED)}
        if set(scores) != set(valid) or not all(
            isinstance(v, int) and 0 <= v <= 100 for v in scores.values()
        ):
            raise DomainError(errors.SCORE_INVALID, "须为每一份有效投标评分（0–100 分）。")
        TenderScore.objects.bulk_create(
            [TenderScore(tender_expert=seat, bid=valid[pk], score=s) for pk, s in scores.items()]
        )
        seat.scored_at = now
        seat.save(update_fields=["scored_at"])
        _audit(locked, "score_submit", actor, now, expert=expert_code)
        if not locked.experts.filter(scored_at__isnull=True).exists():
            _rank(locked, list(valid.values()), now, actor)
    return seat


def _rank(tender: Tender, bids: list[TenderBid], now: dt.datetime, actor: Any) -> None:
    for bid in bids:
        values = list(bid.scores.values_list("score", flat=True))
        bid.average_score = (Decimal(sum(values)) / len(values)).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
    ordered = sorted(
        bids, key=lambda b: (-(b.average_score or 0), b.price_fen or 0, b.submitted_at)
    )
    for position, bid in enumerate(ordered, start=1):
        bid.rank = position
        bid.save(update_fields=["average_score", "rank"])
    tender.status = TenderStatus.PUBLICITY
    tender.publicity_ends_at = end_of_working_days(now, PUBLICITY_WORKING_DAYS)
    tender.save(update_fields=["status", "publicity_ends_at"])
    _audit(tender, "candidates_publicized", actor, now, first=ordered[0].bidder_code)


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
