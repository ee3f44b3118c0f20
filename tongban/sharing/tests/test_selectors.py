"""Reads scoped in SQL: each side sees the applications of its own scope only."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.core.errors import DomainError
from tongban.sharing.selectors import (
    data_subjects_for_user,
    grant_fields_for,
    grant_get_for_staff,
    grant_list_for_staff,
)
from tongban.sharing.services import access_grant_request

from .conftest import T0


def apply(world, consumer, code="JS-MZ-HY-001", fields=("marital_status",)):
    return access_grant_request(
        resource=world.resource(code), consumer_department=consumer, purpose="p",
        legal_basis="b", field_codes=list(fields), now=T0,
    )  # fmt: skip


def test_each_side_lists_its_scope_in_few_queries(world, django_assert_num_queries):
    ours = apply(world, world.market)
    theirs = apply(world, world.gz_market)
    other_provider = apply(world, world.market, code="JS-GA-HJ-002", fields=("region_code",))
    with django_assert_num_queries(2):  # the scope (1) and the page
        consumer = grant_list_for_staff(user=world.head, side="consumer")
    assert [g.pk for g in consumer.items] == [other_provider.pk, ours.pk]
    with django_assert_num_queries(2):
        provider = grant_list_for_staff(user=world.civil_head, side="provider")
    assert {g.pk for g in provider.items} == {ours.pk, theirs.pk}
    assert grant_list_for_staff(user=world.civil_head, side="consumer").items == []
    assert grant_list_for_staff(user=world.gz_head, side="consumer").items == [theirs]
    assert grant_list_for_staff(user=world.citizen, side="consumer").items == []


def test_an_application_outside_the_scope_is_not_found(world):
    grant = apply(world, world.market)
    assert grant_get_for_staff(user=world.civil_head, grant_id=grant.pk) == grant
    assert grant_get_for_staff(user=world.supervisor, grant_id=grant.pk) == grant
    for user in (world.gz_head, world.police_head):
        with pytest.raises(DomainError) as caught:
            grant_get_for_staff(user=user, grant_id=grant.pk)
        assert caught.value.code == "not_found"


def test_granted_fields_are_the_union_of_grants_in_force(world, django_assert_num_queries):
    world.grant("JS-MZ-HY-001", ["marital_status"], until=dt.date(2026, 12, 31))
    world.grant("JS-MZ-HY-001", ["spouse_name"], until=dt.date(2026, 11, 10))
    marriage = world.resource("JS-MZ-HY-001")
    with django_assert_num_queries(1):
        granted = grant_fields_for(
            consumer=world.market, resource=marriage, today=dt.date(2026, 11, 2)
        )
    assert granted.fields == {"marital_status", "spouse_name"}
    later = grant_fields_for(consumer=world.market, resource=marriage, today=dt.date(2026, 11, 20))
    assert later.fields == {"marital_status"}
    gone = grant_fields_for(consumer=world.market, resource=marriage, today=dt.date(2027, 1, 1))
    assert (gone.fields, gone.expired) == (frozenset(), True)


def test_a_citizen_reads_her_own_log_and_a_business_account_its_entities(world):
    assert [(s.key, s.kind) for s in data_subjects_for_user(user=world.citizen)] == [
        ("me", "person")
    ]
    assert [s.label for s in data_subjects_for_user(user=world.business)] == [world.entity.name]
    assert data_subjects_for_user(user=world.clerk) == []
