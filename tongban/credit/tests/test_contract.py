"""What other apps call: ``restrictions``, ``privileges`` and ``credit_record_add``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tongban.core.errors import DomainError
from tongban.credit import selectors
from tongban.credit.models import ClassChange, CreditRecord, ListEntry
from tongban.credit.services.lists import list_entry_add
from tongban.credit.services.records import credit_record_add
from tongban.credit.tests.conftest import T0, TODAY, entity_code

pytestmark = pytest.mark.django_db


def test_a_listed_entity_is_restricted_with_list_basis_and_way_out(world):
    code = entity_code(1)
    list_entry_add(
        list_code="serious-dishonest",
        subject_kind="entity",
        subject_code=code,
        reason="提交虚假材料取得许可",
        legal_basis="《市场监督管理严重违法失信名单管理办法》第九条",
        valid_until=TODAY + dt.timedelta(days=365),
        actor=None,
        now=T0,
    )
    found = selectors.restrictions(code, measure="commitment_intake", today=TODAY)
    assert len(found) == 1
    r = found[0]
    assert (r.list_name, r.department_name) == ("严重违法失信名单", "南京市市场监督管理局")
    assert "第九条" in r.legal_basis and "信用修复" in r.way_out
    assert r.valid_until == TODAY + dt.timedelta(days=365)
    assert "严重违法失信名单" in r.message() and "移出途径" in r.message()
    # A measure the list does not carry, and another entity, are not restricted.
    assert selectors.restrictions(code, measure="marketplace", today=TODAY) == []
    assert selectors.restrictions(entity_code(2), measure="commitment_intake", today=TODAY) == []
    # After the validity the entry no longer restricts.
    later = TODAY + dt.timedelta(days=366)
    assert selectors.restrictions(code, measure="commitment_intake", today=later) == []


def test_a_red_listed_entity_has_the_green_channel(world):
    code = entity_code(3)
    list_entry_add(
        list_code="a-taxpayer",
        subject_kind="entity",
        subject_code=code,
        reason="2025 年度纳税信用 A 级",
        legal_basis="《纳税信用管理办法》第二十九条",
        valid_until=TODAY + dt.timedelta(days=30),
        actor=None,
        now=T0,
    )
    assert [p.measure for p in selectors.privileges(code, today=TODAY)] == ["green_channel"]
    assert selectors.restrictions(code, measure="commitment_intake", today=TODAY) == []


def test_an_entry_past_its_validity_is_refused_and_nothing_is_written(world):
    with pytest.raises(DomainError) as raised:
        list_entry_add(
            list_code="serious-dishonest",
            subject_kind="entity",
            subject_code=entity_code(4),
            reason="逾期",
            legal_basis="某条",
            valid_until=TODAY - dt.timedelta(days=1),
            actor=None,
            now=T0,
        )
    assert raised.value.code == "credit_list_entry_expired"
    assert not ListEntry.objects.exists()


def test_a_record_is_idempotent_and_a_serious_breach_lists_and_lowers_the_class(world):
    code = entity_code(5)
    assert selectors.class_of(code) == "A"
    kwargs: dict[str, Any] = {
        "subject_code": code,
        "subject_kind": "entity",
        "source": "commitment_breach",
        "ref": "case:320100-1",
        "summary": "告知承诺核查不实",
        "severity": "serious",
        "occurred_at": T0,
        "actor": None,
        "now": T0,
    }
    first = credit_record_add(**kwargs)
    again = credit_record_add(**kwargs)
    assert first.pk == again.pk and CreditRecord.objects.count() == 1
    entry = ListEntry.objects.get(subject_code=code)
    assert entry.credit_list.code == "commitment-breach" and entry.source_record_id == first.pk
    assert selectors.class_of(code) == "D"
    change = ClassChange.objects.get(subject_code=code)
    assert change.to_class == "D" and change.record_ids == [first.pk]
    assert "2026.1" in change.explanation and "黑名单" in change.explanation


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("subject_code", "91320100MA0000000X", "invalid_credit_code"),
        ("source", "gossip", "credit_record_invalid"),
        ("severity", "huge", "credit_record_invalid"),
        ("ref", "", "credit_record_invalid"),
        ("occurred_at", T0 + dt.timedelta(days=1), "credit_record_invalid"),
    ],
)
def test_a_bad_record_is_refused_with_a_code(world, field, value, code):
    kwargs: dict[str, Any] = {
        "subject_code": entity_code(6),
        "subject_kind": "entity",
        "source": "penalty",
        "ref": "x-1",
        "summary": "罚款",
        "severity": "general",
        "occurred_at": T0,
        "actor": None,
        "now": T0,
    }
    kwargs[field] = value
    with pytest.raises(DomainError) as raised:
        credit_record_add(**kwargs)
    assert raised.value.code == code
    assert not CreditRecord.objects.exists()
