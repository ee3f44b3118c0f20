"""Public resource trading: a tender from announcement through sealed bids, opening with
each bidder's decryption, the expert draw with 回避, scoring and publicity."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tongban.core import crypto, draws
from tongban.core.errors import DomainError
from tongban.core.models import DrawRecord
from tongban.credit.models import CreditList, ListKind, ListMeasure, Measure
from tongban.credit.services.lists import list_entry_add
from tongban.intermediaries import sealing
from tongban.intermediaries.models import (
    BidStatus,
    Expert,
    ExpertCoWork,
    Tender,
    TenderBid,
    TenderExpert,
    TenderStatus,
)
from tongban.intermediaries.services.evaluation import (
    tender_conclude,
    tender_objection_decide,
    tender_objection_file,
    tender_opening_close,
)
from tongban.intermediaries.services.scoring import (
    evaluation_summary_submit,
    expert_declare,
    score_submit,
)
from tongban.intermediaries.services.trading import (
    KEY_CONTEXT,
    bid_decrypt,
    bid_submit,
    tender_document_add,
    tender_opening_start,
    tender_publish,
)
from tongban.intermediaries.tests.conftest import T0
from tongban.org.models import Department

DEADLINE = T0 + dt.timedelta(days=20)
OPENING = DEADLINE + dt.timedelta(minutes=5)
VERIFIER = Path(__file__).resolve().parents[3] / "scripts" / "verify_draw.py"
SECRET = "技术方案：采用装配式钢结构，工期180日历天。"


def _tender(world, **overrides):
    fields = {
        "category": "construction",
        "title": "新港物流园一期仓储工程施工",
        "tenderer_name": world.buyer_entity.name,
        "tenderer_code": world.buyer_entity.credit_code,
        "region_code": "320100",
        "budget_fen": 5_000_000_000,
        "announcement": "招标公告：新港物流园一期仓储工程施工，资格后审。",
        "bid_deadline": DEADLINE,
        "expert_specialty": "房屋建筑",
        "expert_count": 3,
        "now": T0,
    }
    fields.update(overrides)
    return tender_publish(**fields)


def _experts(world):
    bidders = [a.credit_code for a in world.agencies[:3]]
    experts = [
        Expert.objects.create(
            code=f"E{i:04d}",
            name=f"专家{i}",
            specialty="房屋建筑",
            employer_name="东南大学",
            employer_code=f"12100000466006{i:03d}X"[:18],
        )
        for i in range(8)
    ]
    experts[0].employer_code = bidders[0]  # works for a bidder
    experts[0].save()
    ExpertCoWork.objects.create(
        expert=experts[1], entity_code=bidders[1], until=dt.date(2025, 6, 30)
    )
    ExpertCoWork.objects.create(
        expert=experts[2], entity_code=bidders[2], until=dt.date(2020, 1, 1)
    )
    return experts


def _bids(world, tender):
    codes = {}
    for i, agency in enumerate(world.agencies[:3]):
        bid, code = bid_submit(
            tender=tender,
            bidder=agency.legal_entity,
            price_fen=4_000_000_000 + i * 10_000_000,
            proposal=SECRET if i == 0 else f"方案{i}",
            now=T0 + dt.timedelta(days=1, hours=i),
        )
        codes[bid.pk] = code
    return codes


def _database_text() -> str:
    """Every text column of every table, as one string (what a DBA could read)."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608  # table names from introspection
            chunks.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(chunks)


def test_a_bids_plaintext_is_absent_from_the_database_before_opening(world):
    tender = _tender(world)
    _bids(world, tender)
    text = _database_text()
    assert SECRET not in text and "装配式" not in text and "4000000000" not in text
    bid = TenderBid.objects.get(tender=tender, bidder_code=world.agencies[0].credit_code)
    assert bid.envelope.startswith("bid1.") and bid.price_fen is None and bid.proposal == ""
    # The opening key's private half is not in the database in clear either.
    private = crypto.decrypt(tender.opening_private_sealed, context=f"{KEY_CONTEXT}:{tender.code}")
    assert private not in text


def test_opening_before_time_is_impossible_not_only_refused(world):
    tender = _tender(world)
    codes = _bids(world, tender)
    bid = TenderBid.objects.get(tender=tender, bidder_code=world.agencies[0].credit_code)
    for attempt in (
        lambda: tender_opening_start(tender=tender, now=DEADLINE - dt.timedelta(seconds=1)),
        lambda: bid_decrypt(bid=bid, decryption_code=codes[bid.pk], now=T0 + dt.timedelta(days=2)),
    ):
        with pytest.raises(DomainError) as exc:
            attempt()
        assert exc.value.code == "opening_not_yet"
    # Even someone holding the platform's key ring and the database cannot open it:
    # the other half of the content key is the bidder's code, which is stored nowhere.
    private = crypto.decrypt(tender.opening_private_sealed, context=f"{KEY_CONTEXT}:{tender.code}")
    aad = f"{tender.code}|{bid.bidder_code}".encode()
    with pytest.raises(sealing.SealError):
        sealing.unseal(bid.envelope, private=private, decryption_code="00" * 16, aad=aad)
    assert codes[bid.pk] not in _database_text()
    assert TenderBid.objects.get(pk=bid.pk).status == BidStatus.SEALED


def test_a_bid_after_the_deadline_and_a_blacklisted_bidder_are_refused(world):
    tender = _tender(world)
    with pytest.raises(DomainError) as exc:
        bid_submit(
            tender=tender,
            bidder=world.agencies[0].legal_entity,
            price_fen=1,
            proposal="",
            now=DEADLINE,
        )
    assert exc.value.code == "bid_deadline_passed"
    black = CreditList.objects.create(
        code="bid-dishonest",
        name="招投标失信名单",
        kind=ListKind.BLACK,
        department=Department.objects.get(name="赣州市市场监督管理局"),
        legal_basis="《招标投标法实施条例》第六十七条",
        way_out="期满移出。",
    )
    ListMeasure.objects.create(credit_list=black, measure=Measure.BIDDING, description="限制投标")
    list_entry_add(
        list_code="bid-dishonest",
        subject_kind="entity",
        subject_code=world.agencies[1].credit_code,
        reason="串通投标",
        legal_basis="第六十七条",
        valid_until=dt.date(2028, 1, 1),
        actor=None,
        now=T0,
    )
    with pytest.raises(DomainError) as exc:
        bid_submit(
            tender=tender, bidder=world.agencies[1].legal_entity, price_fen=1, proposal="", now=T0
        )
    assert exc.value.code == "agency_restricted" and "串通投标" in exc.value.detail
    assert not TenderBid.objects.filter(tender=tender).exists()


def test_a_tender_goes_from_announcement_to_conclusion(world, tmp_path):
    _experts(world)
    tender = _tender(world)
    commitment = DrawRecord.objects.get(public_id=str(tender.expert_draw_public_id)).commitment
    tender_document_add(
        tender=tender, kind="document", title="招标文件", content="第一章 …", now=T0
    )
    tender_document_add(
        tender=tender,
        kind="clarification",
        title="澄清一",
        content="工期调整为180日历天。",
        now=T0 + dt.timedelta(days=2),
    )
    codes = _bids(world, tender)
    with pytest.raises(DomainError) as exc:
        bid_submit(
            tender=tender,
            bidder=world.agencies[0].legal_entity,
            price_fen=5,
            proposal="",
            now=T0 + dt.timedelta(days=3),
        )
    assert exc.value.code == "bid_duplicate"
    tender = tender_opening_start(tender=tender, now=OPENING)
    bids = list(TenderBid.objects.filter(tender=tender).order_by("submitted_at"))
    with pytest.raises(DomainError) as exc:
        bid_decrypt(bid=bids[0], decryption_code="11" * 16, now=OPENING)
    assert exc.value.code == "bid_decryption_failed"
    opened = bid_decrypt(bid=bids[0], decryption_code=codes[bids[0].pk], now=OPENING)
    assert opened.status == BidStatus.OPENED and opened.proposal == SECRET
    assert opened.price_fen == 4_000_000_000
    bid_decrypt(bid=bids[1], decryption_code=codes[bids[1].pk], now=OPENING)
    # The third envelope was altered in the database: it cannot be decrypted, so it is invalid.
    TenderBid.objects.filter(pk=bids[2].pk).update(envelope=bids[2].envelope[:-8] + "AAAAAAA=")
    broken = bid_decrypt(bid=bids[2], decryption_code=codes[bids[2].pk], now=OPENING)
    assert broken.status == BidStatus.INVALID and broken.invalid_reason == "投标文件无法解密"
    tender = tender_opening_close(tender=tender, now=OPENING + dt.timedelta(minutes=30))
    # Two valid bids < 3: the tender fails (流标).
    assert tender.status == TenderStatus.FAILED

    tender = _tender(world, title="新港物流园二期仓储工程施工")
    codes = _bids(world, tender)
    tender = tender_opening_start(tender=tender, now=OPENING)
    for bid in TenderBid.objects.filter(tender=tender):
        bid_decrypt(bid=bid, decryption_code=codes[bid.pk], now=OPENING)
    tender = tender_opening_close(tender=tender, now=OPENING + dt.timedelta(minutes=30))
    assert tender.status == TenderStatus.EVALUATING
    drawn = set(TenderExpert.objects.filter(tender=tender).values_list("expert__code", flat=True))
    record = DrawRecord.objects.get(public_id=str(tender.expert_draw_public_id))
    assert record.commitment != commitment  # each tender its own draw
    # 回避: E0000 works for a bidder, E0001 worked with one in 2025; E0002's co-work is old.
    listed = draws.draw_candidates(record) or []
    assert "E0000" not in listed and "E0001" not in listed
    assert "E0002" in listed and len(drawn) == 3
    path = tmp_path / "experts.json"
    path.write_text(json.dumps(draws.draw_document(record), ensure_ascii=False), encoding="utf-8")
    snapshot = tmp_path / f"{record.candidates_sha256}.json"  # the list's own file, beside
    snapshot.write_bytes(draws.snapshot_bytes(listed))
    assert (
        subprocess.run([sys.executable, str(VERIFIER), str(path)], capture_output=True).returncode
        == 0
    )
    valid = {b.pk: b for b in TenderBid.objects.filter(tender=tender)}
    sheet = {pk: 80 + i for i, pk in enumerate(sorted(valid))}
    first = sorted(drawn)[0]
    with pytest.raises(DomainError) as exc:  # no sheet before the declaration of 回避
        score_submit(tender=tender, expert_code=first, scores=sheet, now=OPENING)
    assert exc.value.code == "score_invalid"
    for code in sorted(drawn):
        expert_declare(tender=tender, expert_code=code, conflict=False, now=OPENING)
    with pytest.raises(DomainError) as exc:
        score_submit(tender=tender, expert_code=first, scores={next(iter(valid)): 90}, now=OPENING)
    assert exc.value.code == "score_invalid"
    with pytest.raises(DomainError) as exc:
        score_submit(tender=tender, expert_code="E0000", scores=sheet, now=OPENING)
    assert exc.value.code == "permission_denied"
    for code in sorted(drawn):
        score_submit(
            tender=tender, expert_code=code, scores=sheet, now=OPENING + dt.timedelta(hours=2)
        )
    # Ranked, but publicized only once the lead has written the committee's report.
    assert Tender.objects.get(pk=tender.pk).status == TenderStatus.EVALUATING
    lead = TenderExpert.objects.get(tender=tender, is_lead=True).expert.code
    evaluation_summary_submit(
        tender=tender,
        expert_code=lead,
        summary="评标委员会一致推荐以下中标候选人，排序如下。",
        now=OPENING + dt.timedelta(hours=3),
    )
    tender = Tender.objects.get(pk=tender.pk)
    assert tender.status == TenderStatus.PUBLICITY
    winner = TenderBid.objects.get(tender=tender, rank=1)
    assert winner.pk == max(sheet, key=lambda pk: sheet[pk])
    objection = tender_objection_file(
        tender=tender,
        filer_name="苏环评咨询有限公司",
        reason="第一中标候选人业绩造假，请复核。",
        now=OPENING + dt.timedelta(hours=3),
    )
    end = tender.publicity_ends_at
    assert end is not None
    with pytest.raises(DomainError) as exc:
        tender_conclude(tender=tender, now=end)
    assert exc.value.code == "objection_pending"
    tender_objection_decide(objection=objection, upheld=False, answer="经核查业绩属实。", now=end)
    with pytest.raises(DomainError) as exc:
        tender_objection_file(
            tender=tender, filer_name="某", reason="公示期满后的异议不受理。", now=end
        )
    assert exc.value.code == "objection_closed"
    tender = tender_conclude(tender=tender, now=end)
    assert tender.status == TenderStatus.CONCLUDED and winner.bidder_name in tender.result_note


def test_too_few_experts_after_recusal_stops_the_draw_and_changes_nothing(world):
    _experts(world)
    tender = _tender(world, expert_count=7)
    codes = _bids(world, tender)
    tender = tender_opening_start(tender=tender, now=OPENING)
    for bid in TenderBid.objects.filter(tender=tender):
        bid_decrypt(bid=bid, decryption_code=codes[bid.pk], now=OPENING)
    with pytest.raises(DomainError) as exc:
        tender_opening_close(tender=tender, now=OPENING)
    assert exc.value.code == "experts_insufficient"
    assert Tender.objects.get(pk=tender.pk).status == TenderStatus.OPENING
    assert not TenderExpert.objects.filter(tender=tender).exists()


@pytest.mark.parametrize("scheme", ["x25519", "sm2"])
def test_both_key_schemes_seal_and_open(scheme):
    key = sealing.opening_key_new(scheme)
    sealed = sealing.seal(SECRET.encode(), scheme=scheme, public=key.public, aad=b"T|B")
    assert SECRET.encode() not in sealed.envelope.encode()
    opened = sealing.unseal(
        sealed.envelope, private=key.private, decryption_code=sealed.decryption_code, aad=b"T|B"
    )
    assert opened.decode() == SECRET
    with pytest.raises(sealing.SealError):  # bound to its tender and bidder
        sealing.unseal(
            sealed.envelope, private=key.private, decryption_code=sealed.decryption_code, aad=b"T|X"
        )
