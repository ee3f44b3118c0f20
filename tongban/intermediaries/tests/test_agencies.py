"""The agency library: zero threshold, services and fees, consortia, penalties."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.core.errors import DomainError
from tongban.identity.services import legal_entity_register
from tongban.intermediaries.credit import restrictions_for
from tongban.intermediaries.models import Agency, AgencyService
from tongban.intermediaries.services import (
    agency_penalty_record,
    agency_register,
    agency_service_publish,
    consortium_form,
)
from tongban.intermediaries.tests.conftest import T0
from tongban.org.demo import credit_code_for


def test_an_entity_with_a_valid_credit_code_is_listed_at_once_without_qualifications(world):
    entity = legal_entity_register(
        credit_code=credit_code_for(name="新设咨询有限公司", region_code="320100", registrar="91"),
        name="新设咨询有限公司",
        legal_representative=world.person,
        now=T0,
    )
    agency = agency_register(
        legal_entity=entity, contact_name="王工", contact_phone="13912345678", now=T0
    )
    assert Agency.objects.filter(pk=agency.pk, joined_at=T0).exists()
    assert agency.qualifications.count() == 0
    assert agency.contact_phone_masked == "139****5678"
    assert "13912345678" not in agency.contact_phone_enc


def test_listing_twice_is_refused_with_a_code(world):
    with pytest.raises(DomainError) as exc:
        agency_register(
            legal_entity=world.agencies[0].legal_entity,
            contact_name="王工",
            contact_phone="13912345678",
            now=T0,
        )
    assert exc.value.code == "agency_already_listed"


def test_a_fee_range_upside_down_or_an_unknown_service_is_refused(world):
    agency = world.agencies[4]
    with pytest.raises(DomainError) as exc:
        agency_service_publish(
            agency=agency,
            service_type_code="survey",
            fee_basis="市场调节价",
            fee_min_fen=500,
            fee_max_fen=100,
            now=T0,
        )
    assert exc.value.code == "validation_failed"
    with pytest.raises(DomainError) as exc:
        agency_service_publish(
            agency=agency,
            service_type_code="nope",
            fee_basis="x",
            fee_min_fen=1,
            fee_max_fen=2,
            now=T0,
        )
    assert exc.value.code == "service_type_not_found"
    assert not AgencyService.objects.filter(agency=agency, service_type__code="survey").exists()


def test_a_suspension_recorded_anywhere_restricts_the_agency_in_the_whole_province(world):
    agency = world.agencies[3]  # registered in 赣州
    assert restrictions_for(credit_code=agency.credit_code, measure="marketplace", now=T0) == []
    agency_penalty_record(
        agency=agency,
        kind="suspension",
        reason="出具虚假报告",
        decided_by="赣州市生态环境局",
        region_code="360700",
        starts_at=T0 - dt.timedelta(days=1),
        ends_at=T0 + dt.timedelta(days=365),
        now=T0,
    )
    reasons = restrictions_for(credit_code=agency.credit_code, measure="marketplace", now=T0)
    assert reasons and "出具虚假报告" in reasons[0]
    later = T0 + dt.timedelta(days=366)
    assert restrictions_for(credit_code=agency.credit_code, measure="marketplace", now=later) == []


def test_a_consortium_needs_two_members_none_of_them_restricted(world):
    a0, a1, a3 = world.agencies[0], world.agencies[1], world.agencies[3]
    with pytest.raises(DomainError) as exc:
        consortium_form(lead=a0, members=[a0], name="独家", now=T0)
    assert exc.value.code == "consortium_invalid"
    agency_penalty_record(
        agency=a3,
        kind="suspension",
        reason="串通报价",
        decided_by="南京市政务办",
        region_code="320100",
        starts_at=T0 - dt.timedelta(days=1),
        now=T0,
    )
    with pytest.raises(DomainError) as exc:
        consortium_form(lead=a0, members=[a3], name="苏赣联合体", now=T0)
    assert exc.value.code == "agency_restricted"
    consortium = consortium_form(lead=a0, members=[a1], name="金陵联合体", now=T0)
    assert set(consortium.members.values_list("pk", flat=True)) == {a0.pk, a1.pk}
