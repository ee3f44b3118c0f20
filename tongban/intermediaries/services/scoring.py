"""The evaluation committee's work (评标): each drawn expert declares 回避 (no conflict,
or a conflict that recuses the expert and draws a replacement on the same engine),
fills one scoring sheet per criterion within each criterion's maximum, signs and
submits it once; when every sheet is in, bids are ranked by average total; the lead
expert (组长) then writes the committee's report and the candidates are publicized.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction

from tongban.core import clock, draws
from tongban.core import errors as core_errors
from tongban.core.errors import DomainError
from tongban.intermediaries import criteria, errors, sealing
from tongban.intermediaries.models import (
    BidStatus,
    Expert,
    Tender,
    TenderBid,
    TenderExpert,
    TenderScore,
    TenderStatus,
)
from tongban.intermediaries.services._common import end_of_working_days, logger
from tongban.intermediaries.services.evaluation import _excluded_experts
from tongban.intermediaries.services.trading import (
    EXPERT_DRAW_PURPOSE,
    _audit,
    _invalid,
    _lock,
    _state,
)

PUBLICITY_WORKING_DAYS = 3  # 中标候选人公示 not less than 3 days (招标投标法实施条例 第五十四条)


def _seat(tender: Tender, expert_code: str) -> TenderExpert:
    seat = (
        TenderExpert.objects.select_for_update()
        .select_related("expert")
        .filter(tender=tender, expert__code=expert_code, recused=False)
        .first()
    )
    if seat is None:
        raise DomainError(core_errors.PERMISSION_DENIED, "该专家未被抽中评审本项目，或已回避。")
    return seat


def _refuse(tender: Tender, detail: str, expert_code: str) -> DomainError:
    logger.warning("trading refusal score_invalid tender=%s expert=%s", tender.code, expert_code)
    return DomainError(errors.SCORE_INVALID, detail)


def _replacement(tender: Tender, now: dt.datetime, actor: Any) -> TenderExpert:
    """A replacement expert (补充抽取) on the same verifiable engine, after the same 回避."""
    seated = set(TenderExpert.objects.filter(tender=tender).values_list("expert_id", flat=True))
    valid = list(tender.bids.filter(status=BidStatus.OPENED).values_list("bidder_code", flat=True))
    pool = list(
        Expert.objects.filter(specialty=tender.expert_specialty, active=True)
        .exclude(pk__in=_excluded_experts(tender, valid, now) | seated)
        .values_list("code", flat=True)
    )
    if not pool:
        raise DomainError(
            errors.EXPERTS_INSUFFICIENT,
            f"“{tender.expert_specialty}”专业已无可补充抽取的专家，请扩大专家库后再声明回避。",
        )
    number = len(seated) + 1
    record = draws.draw_open(
        purpose=EXPERT_DRAW_PURPOSE,
        subject=f"{tender.code}#补{number}",
        actor=actor,
        title=f"“{tender.title}”评标专家补充抽取"[:200],
    )
    record = draws.draw_run(record, candidates=pool, k=1, actor=actor)
    expert = Expert.objects.get(code=(record.result or [])[0])
    return TenderExpert.objects.create(tender=tender, expert=expert, seat=number)


def expert_declare(
    *,
    tender: Tender,
    expert_code: str,
    conflict: bool,
    reason: str = "",
    actor: Any = None,
    now: dt.datetime | None = None,
) -> TenderExpert:
    """回避声明: no conflict lets the expert score; a conflict recuses the expert (with the
    reason) and draws a replacement; the lead's chair passes to the next seat."""
    now = now or clock.now()
    text = " ".join((reason or "").split())
    if conflict and len(text) < 4:
        raise _invalid("声明回避须写明事由（至少 4 个字）。", "reason")
    with draws.draw_atomic():  # the replacement's candidate file goes if this fails after it
        locked = _lock(tender)
        _state(locked, TenderStatus.EVALUATING)
        seat = _seat(locked, expert_code)
        if seat.declared_at is not None:
            raise _refuse(locked, "已作出回避声明，不能更改。", expert_code)
        if not conflict:
            seat.declared_at = now
            seat.save(update_fields=["declared_at"])
            _audit(locked, "expert_declare", actor, now, expert=expert_code, conflict=False)
            return seat
        seat.recused, seat.recusal_reason = True, text[:300]
        was_lead, seat.is_lead = seat.is_lead, False
        seat.save(update_fields=["recused", "recusal_reason", "is_lead"])
        replacement = _replacement(locked, now, actor)
        if was_lead:
            chair = (
                TenderExpert.objects.filter(tender=locked, recused=False).order_by("seat").first()
            )
            TenderExpert.objects.filter(pk=chair.pk if chair else replacement.pk).update(
                is_lead=True
            )
        _audit(
            locked,
            "expert_recused",
            actor,
            now,
            expert=expert_code,
            replacement=replacement.expert.code,
        )
    return seat


def sheet_digest(tender: Tender, expert_code: str, lines: Mapping[str, Any]) -> str:
    """The SM3 the expert signs: the tender, the expert and every line, canonical JSON."""
    body = {"tender": tender.code, "expert": expert_code, "scores": dict(lines)}
    return sealing.sm3(
        json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    )


def score_submit(
    *,
    tender: Tender,
    expert_code: str,
    scores: Mapping[int, int | Mapping[str, int]],
    actor: Any = None,
    now: dt.datetime | None = None,
) -> TenderExpert:
    """An expert's scoring sheet, once: for every valid bid either one line per criterion
    of the tender's scoring method (each within its maximum) or, for a paper sheet entered
    by the centre, the total 0–100. When the last sheet is in, bids are ranked."""
    now = now or clock.now()
    with transaction.atomic():
        locked = _lock(tender)
        _state(locked, TenderStatus.EVALUATING)
        seat = _seat(locked, expert_code)
        if seat.scored_at is not None:
            raise _refuse(locked, "评分表已提交，不能修改。", expert_code)
        if seat.declared_at is None:
            raise _refuse(locked, "请先作出回避声明，再评分。", expert_code)
        valid = {b.pk: b for b in locked.bids.filter(status=BidStatus.OPENED)}
        if set(scores) != set(valid):
            raise _refuse(locked, "须为每一份有效投标评分。", expert_code)
        method = locked.scoring_criteria or []
        rows, lines = [], {}
        for pk, given in scores.items():
            if isinstance(given, Mapping):
                problem = criteria.sheet_line_problem(method, dict(given))
                if problem:
                    raise _refuse(locked, f"{valid[pk].bidder_name}：{problem}", expert_code)
                parts, total = dict(given), sum(given.values())
            elif isinstance(given, int) and not isinstance(given, bool) and 0 <= given <= 100:
                parts, total = {}, given
            else:
                raise _refuse(locked, "每份投标的总分须为 0–100 的整数。", expert_code)
            rows.append(TenderScore(tender_expert=seat, bid=valid[pk], score=total, parts=parts))
            lines[valid[pk].bidder_code] = parts or total
        TenderScore.objects.bulk_create(rows)
        seat.scored_at = now
        seat.sheet_sm3 = sheet_digest(locked, expert_code, lines)
        seat.save(update_fields=["scored_at", "sheet_sm3"])
        _audit(locked, "score_submit", actor, now, expert=expert_code, sm3=seat.sheet_sm3)
        if not locked.experts.filter(recused=False, scored_at__isnull=True).exists():
            _rank(locked, list(valid.values()), now, actor)
    return seat


def _rank(tender: Tender, bids: list[TenderBid], now: dt.datetime, actor: Any) -> None:
    for bid in bids:
        values = list(
            bid.scores.filter(tender_expert__recused=False).values_list("score", flat=True)
        )
        bid.average_score = (Decimal(sum(values)) / len(values)).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
    ordered = sorted(
        bids, key=lambda b: (-(b.average_score or 0), b.price_fen or 0, b.submitted_at)
    )
    for position, bid in enumerate(ordered, start=1):
        bid.rank = position
    TenderBid.objects.bulk_update(ordered, ["average_score", "rank"])
    _audit(tender, "bids_ranked", actor, now, first=ordered[0].bidder_code)


def evaluation_summary_submit(
    *,
    tender: Tender,
    expert_code: str,
    summary: str,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> Tender:
    """The lead expert's report (评标报告) once every sheet is in: the candidates are
    then publicized for 3 working days with objections."""
    now = now or clock.now()
    text = (summary or "").strip()
    if not 10 <= len(text) <= 5000:
        raise _invalid("评标报告须为 10–5000 字。", "summary")
    with transaction.atomic():
        locked = _lock(tender)
        _state(locked, TenderStatus.EVALUATING)
        seat = _seat(locked, expert_code)
        if not seat.is_lead:
            raise DomainError(core_errors.PERMISSION_DENIED, "评标报告由评标委员会组长提交。")
        if locked.experts.filter(recused=False, scored_at__isnull=True).exists():
            raise _refuse(locked, "尚有专家未提交评分表。", expert_code)
        locked.evaluation_summary = text
        locked.summary_at = now
        locked.status = TenderStatus.PUBLICITY
        locked.publicity_ends_at = end_of_working_days(now, PUBLICITY_WORKING_DAYS)
        locked.save(
            update_fields=["evaluation_summary", "summary_at", "status", "publicity_ends_at"]
        )
        first = locked.bids.get(rank=1)
        _audit(locked, "candidates_publicized", actor, now, first=first.bidder_code)
    return locked
