"""行政处罚 entry and import, and 信用修复 (issue 17 bad input)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

import pytest
from openpyxl import Workbook

from tongban.core.errors import DomainError
from tongban.credit import selectors
from tongban.credit.models import CreditRecord, CreditRepair, ListEntry, Penalty
from tongban.credit.services.lists import list_entry_add
from tongban.credit.services.penalties import COLUMNS, PenaltyInput, penalties_import, penalty_enter
from tongban.credit.services.repairs import repair_apply, repair_review
from tongban.credit.tests.conftest import T0, TODAY, entity_code

pytestmark = pytest.mark.django_db

GOOD = PenaltyInput(
    decision_no="宁市监处罚〔2026〕101号",
    legal_basis="《中华人民共和国食品安全法》第一百二十四条",
    subject_kind="entity",
    subject_code=entity_code(11),
    subject_name="南京某某食品有限公司",
    facts="经营超过保质期的食品",
    kind="fine",
    amount_fen=5_000_00,
    decided_on=dt.date(2026, 10, 20),
)


def test_a_penalty_becomes_a_record_and_lowers_the_class(world):
    penalty = penalty_enter(department=world.market, given=GOOD, actor=None, now=T0)
    assert penalty.record.source == "penalty" and penalty.record.severity == "general"
    assert penalty.region_path == world.market.region.path
    # 100 - 15 = 85: B.
    assert selectors.class_of(GOOD.subject_code) == "B"
    with pytest.raises(DomainError) as again:
        penalty_enter(department=world.market, given=GOOD, actor=None, now=T0)
    assert again.value.code == "penalty_duplicate"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"decision_no": " "}, "处罚决定书文号不能为空"),
        ({"legal_basis": ""}, "处罚依据不能为空"),
        ({"kind": "scolding"}, "处罚种类"),
        ({"amount_fen": -1}, "罚没金额不能为负数"),
        ({"decided_on": TODAY + dt.timedelta(days=1)}, "不能晚于今天"),
        ({"subject_code": "91320100MA0000000X"}, "统一社会信用代码无效"),
    ],
)
def test_a_penalty_without_number_or_basis_is_refused_and_nothing_is_written(world, change, words):
    with pytest.raises(DomainError) as refused:
        penalty_enter(department=world.market, given=replace(GOOD, **change), actor=None, now=T0)
    assert refused.value.code == "penalty_invalid" and words in refused.value.detail
    assert not Penalty.objects.exists() and not CreditRecord.objects.exists()


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ROW = [
    "宁市监处罚〔2026〕201号", "《广告法》第五十五条", "法人", entity_code(12), "某广告公司",
    "发布虚假广告", "罚款", "20000", "2026-10-01",
]  # fmt: skip


def test_an_import_is_validated_whole(world):
    bad = [*ROW[:1], "", *ROW[2:]]  # no basis
    second = ["宁市监处罚〔2026〕202号", *ROW[1:]]
    with pytest.raises(DomainError) as refused:
        penalties_import(department=world.market, content=_xlsx([second, bad]), actor=None, now=T0)
    assert refused.value.code == "penalty_import_invalid"
    assert refused.value.fields[0]["field"] == "row[3]"
    assert not Penalty.objects.exists()
    with pytest.raises(DomainError) as dup:
        penalties_import(department=world.market, content=_xlsx([ROW, ROW]), actor=None, now=T0)
    assert "重复" in dup.value.detail
    with pytest.raises(DomainError) as junk:
        penalties_import(department=world.market, content=b"not a workbook", actor=None, now=T0)
    assert junk.value.code == "penalty_import_invalid"
    done = penalties_import(
        department=world.market, content=_xlsx([ROW, second]), actor=None, now=T0
    )
    assert [p.amount_fen for p in done] == [2_000_000, 2_000_000]
    # 20,000 yuan is a 较大数额 fine: serious, so at most C.
    assert done[0].record.severity == "serious"


def test_repair_for_an_entity_not_listed_is_refused(world):
    with pytest.raises(DomainError) as refused:
        repair_apply(subject_code=entity_code(13), reason="r", evidence="e", now=T0)
    assert refused.value.code == "credit_repair_not_listed"
    assert not CreditRepair.objects.exists()


def test_repair_once_and_a_rejection_keeps_the_entry(world):
    code = entity_code(14)
    list_entry_add(
        list_code="serious-dishonest", subject_kind="entity", subject_code=code,
        reason="虚假材料", legal_basis="某条", valid_until=TODAY + dt.timedelta(days=90),
        actor=None, now=T0,
    )  # fmt: skip
    (repair,) = repair_apply(subject_code=code, reason="已整改", evidence="报告", now=T0)
    with pytest.raises(DomainError) as twice:
        repair_apply(subject_code=code, reason="已整改", evidence="报告", now=T0)
    assert twice.value.code == "credit_repair_duplicate"
    with pytest.raises(DomainError) as no_reason:
        repair_review(repair=repair, approve=False, note="", reviewer=None, now=T0)
    assert no_reason.value.code == "credit_repair_invalid"
    repair_review(repair=repair, approve=False, note="整改不到位", reviewer=None, now=T0)
    assert ListEntry.objects.get(subject_code=code).status == "active"
    with pytest.raises(DomainError) as reviewed:
        repair_review(repair=repair, approve=True, note="", reviewer=None, now=T0)
    assert reviewed.value.code == "credit_repair_invalid_state"
    assert selectors.class_of(code) == "D"
