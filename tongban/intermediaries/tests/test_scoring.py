"""The evaluation committee: 回避 declared (a conflict recuses and draws a replacement on
the same engine), one signed sheet per criterion within its maximum, once; the lead's
report publicizes the candidates."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.files.storage import default_storage

from tongban.core.draws import draw_candidates, snapshot_bytes, snapshot_name
from tongban.core.errors import DomainError
from tongban.core.models import DrawRecord
from tongban.intermediaries import errors
from tongban.intermediaries.models import (
    Tender,
    TenderBid,
    TenderExpert,
    TenderScore,
    TenderStatus,
)
from tongban.intermediaries.services.evaluation import tender_opening_close
from tongban.intermediaries.services.scoring import (
    evaluation_summary_submit,
    expert_declare,
    score_submit,
    sheet_digest,
)
from tongban.intermediaries.services.trading import bid_decrypt, tender_opening_start
from tongban.intermediaries.tests.test_trading import OPENING, _bids, _experts, _tender

LATER = OPENING + dt.timedelta(hours=1)


def _evaluating(world):
    _experts(world)
    tender = _tender(world)
    codes = _bids(world, tender)
    tender = tender_opening_start(tender=tender, now=OPENING)
    for bid in TenderBid.objects.filter(tender=tender):
        bid_decrypt(bid=bid, decryption_code=codes[bid.pk], now=OPENING)
    return tender_opening_close(tender=tender, now=OPENING)


def _line(business=15, technical=30, price=35):
    return {"business": business, "technical": technical, "price": price}


def test_the_sheet_scores_each_criterion_within_its_maximum_once_and_signed(world):
    tender = _evaluating(world)
    assert [c["max"] for c in tender.scoring_criteria] == [20, 40, 40]  # construction default
    seats = list(TenderExpert.objects.filter(tender=tender).order_by("seat"))
    assert [s.is_lead for s in seats] == [True, False, False]
    code = seats[0].expert.code
    expert_declare(tender=tender, expert_code=code, conflict=False, now=LATER)
    bids = list(TenderBid.objects.filter(tender=tender).order_by("pk"))
    for bad, words in (
        ({b.pk: _line(business=21) for b in bids}, "0–20"),  # over the criterion's maximum
        ({b.pk: {"business": 10, "technical": 10} for b in bids}, "每个评分项"),
        ({b.pk: _line(price=-1) for b in bids}, "0–40"),
        ({bids[0].pk: _line()}, "每一份有效投标"),
    ):
        with pytest.raises(DomainError) as exc:
            score_submit(tender=tender, expert_code=code, scores=bad, now=LATER)
        assert exc.value.code == "score_invalid" and words in exc.value.detail
    assert not TenderScore.objects.filter(tender_expert__tender=tender).exists()
    sheet = {b.pk: _line(technical=30 + i) for i, b in enumerate(bids)}
    seat = score_submit(tender=tender, expert_code=code, scores=sheet, now=LATER)
    lines = {b.bidder_code: sheet[b.pk] for b in bids}
    assert seat.sheet_sm3 == sheet_digest(tender, code, lines) and len(seat.sheet_sm3) == 64
    stored = TenderScore.objects.get(tender_expert=seat, bid=bids[2])
    assert stored.score == 15 + 32 + 35 and stored.parts == _line(technical=32)
    with pytest.raises(DomainError) as exc:
        score_submit(tender=tender, expert_code=code, scores=sheet, now=LATER)
    assert exc.value.code == "score_invalid" and "不能修改" in exc.value.detail


def test_a_declared_conflict_recuses_and_draws_a_replacement_and_the_lead_reports(world):
    tender = _evaluating(world)
    seats = list(TenderExpert.objects.filter(tender=tender).order_by("seat"))
    lead = seats[0].expert.code
    with pytest.raises(DomainError) as exc:
        expert_declare(tender=tender, expert_code=lead, conflict=True, reason="", now=LATER)
    assert exc.value.code == "tender_invalid"
    expert_declare(
        tender=tender, expert_code=lead, conflict=True, reason="近亲属在投标人处任职", now=LATER
    )
    recused = TenderExpert.objects.get(pk=seats[0].pk)
    assert recused.recused and not recused.is_lead and "近亲属" in recused.recusal_reason
    active = list(TenderExpert.objects.filter(tender=tender, recused=False).order_by("seat"))
    assert len(active) == 3 and active[0].is_lead and active[0].pk == seats[1].pk
    replacement = active[-1]
    assert replacement.expert.code not in {s.expert.code for s in seats}
    record = DrawRecord.objects.get(subject=f"{tender.code}#补4")
    assert record.result == [replacement.expert.code]
    assert "E0000" not in (draw_candidates(record) or [])
    with pytest.raises(DomainError) as exc:  # the recused expert cannot score
        score_submit(tender=tender, expert_code=lead, scores={}, now=LATER)
    assert exc.value.code == "permission_denied"

    bids = list(TenderBid.objects.filter(tender=tender).order_by("pk"))
    new_lead = active[0].expert.code
    for seat in active:
        expert_declare(tender=tender, expert_code=seat.expert.code, conflict=False, now=LATER)
    with pytest.raises(DomainError) as exc:  # not before every sheet is in
        evaluation_summary_submit(
            tender=tender, expert_code=new_lead, summary="推荐第一名为中标候选人。", now=LATER
        )
    assert exc.value.code == "score_invalid"
    for i, seat in enumerate(active):
        sheet = {b.pk: _line(technical=20 + 5 * n + i) for n, b in enumerate(bids)}
        score_submit(tender=tender, expert_code=seat.expert.code, scores=sheet, now=LATER)
    assert Tender.objects.get(pk=tender.pk).status == TenderStatus.EVALUATING
    with pytest.raises(DomainError) as exc:
        evaluation_summary_submit(
            tender=tender,
            expert_code=active[1].expert.code,
            summary="推荐第一名为中标候选人。",
            now=LATER,
        )
    assert exc.value.code == "permission_denied"
    done = evaluation_summary_submit(
        tender=tender, expert_code=new_lead, summary="推荐第一名为中标候选人。", now=LATER
    )
    assert done.status == TenderStatus.PUBLICITY and done.publicity_ends_at is not None
    first = TenderBid.objects.get(tender=tender, rank=1)
    assert first.pk == bids[-1].pk  # the highest technical scores


def _snapshot_of(codes) -> str:
    name = snapshot_name(hashlib.sha256(snapshot_bytes(sorted(codes))).hexdigest())
    default_storage.delete(name)  # an earlier test's draw of the same list (storage outlives it)
    return name


def test_expert_draws_whose_step_fails_after_them_leave_no_candidate_file(world, monkeypatch):
    _experts(world)
    tender = _tender(world)
    codes = _bids(world, tender)
    tender = tender_opening_start(tender=tender, now=OPENING)
    for bid in TenderBid.objects.filter(tender=tender):
        bid_decrypt(bid=bid, decryption_code=codes[bid.pk], now=OPENING)
    pool = ["E0002", "E0003", "E0004", "E0005", "E0006", "E0007"]  # after 回避 of E0000, E0001
    name = _snapshot_of(pool)

    def failing(tender, action, *args, **kwargs):
        if action in ("experts_drawn", "expert_recused"):
            assert default_storage.exists(name)
            raise DomainError(errors.TENDER_INVALID, "之后的一步失败")

    monkeypatch.setattr("tongban.intermediaries.services.evaluation._audit", failing)
    with pytest.raises(DomainError):
        tender_opening_close(tender=tender, now=OPENING)
    assert not default_storage.exists(name)
    assert Tender.objects.get(pk=tender.pk).status == TenderStatus.OPENING
    monkeypatch.undo()
    tender = tender_opening_close(tender=tender, now=OPENING)  # committed: the file stays
    assert default_storage.exists(name)

    seats = list(TenderExpert.objects.filter(tender=tender).order_by("seat"))
    rest = _snapshot_of(sorted(set(pool) - {s.expert.code for s in seats}))
    monkeypatch.setattr("tongban.intermediaries.services.scoring._audit", failing)
    with pytest.raises(DomainError):
        expert_declare(
            tender=tender,
            expert_code=seats[0].expert.code,
            conflict=True,
            reason="近亲属任职",
            now=LATER,
        )
    assert not default_storage.exists(rest) and default_storage.exists(name)
    assert not DrawRecord.objects.filter(subject=f"{tender.code}#补4").exists()
