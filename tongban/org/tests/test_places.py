"""A hall's level in the five-level system and its coordinates (R-HA-1/2)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.org.models import Hall, HallLevel
from tongban.org.places import hall_update
from tongban.org.selectors import region_get
from tongban.org.services import SUBCOUNTY_REGIONS_FILE, hall_create, regions_load_from_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def subcounty(regions: None) -> None:
    regions_load_from_file(path=SUBCOUNTY_REGIONS_FILE)


def test_a_hall_takes_its_regions_level_and_stores_coordinates_rounded_to_six_places(subcounty):
    county = hall_create(name="江宁区政务服务中心", region=region_get("320115"))
    assert county.level == HallLevel.COUNTY and county.latitude is None
    point = hall_create(
        name="东山街道便民服务中心",
        region=region_get("320115001000"),
        latitude="31.95271234",
        longitude=118.8399,
    )
    point.refresh_from_db()
    assert point.level == HallLevel.TOWNSHIP
    assert point.latitude == Decimal("31.952712") and point.longitude == Decimal("118.839900")
    assert point.coordinate_system == "gcj02"


def test_a_level_that_does_not_fit_the_region_is_refused(subcounty):
    with pytest.raises(DomainError) as village_in_county:
        hall_create(name="某便民服务站", region=region_get("320115"), level=HallLevel.VILLAGE)
    assert village_in_county.value.code == "hall_level_invalid"
    with pytest.raises(DomainError) as outlet_in_city:
        hall_create(name="某银行网点", region=region_get("320100"), level=HallLevel.OUTLET)
    assert outlet_in_city.value.code == "hall_level_invalid"
    with pytest.raises(DomainError) as unknown:
        hall_create(name="某点", region=region_get("320115"), level="hamlet")
    assert unknown.value.code == "hall_level_invalid"
    outlet = hall_create(
        name="邮储银行东山支行代办点", region=region_get("320115001000"), level=HallLevel.OUTLET
    )
    assert outlet.level == HallLevel.OUTLET
    assert not Hall.objects.filter(name__in=["某便民服务站", "某银行网点", "某点"]).exists()


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [
        ("91", "118.8", "latitude"),
        ("31.9", "-180.5", "longitude"),
        ("北纬31度", "118.8", "latitude"),
        ("31.9", "", "longitude"),  # one without the other
        ("", "118.8", "latitude"),
        ("nan", "118.8", "latitude"),
    ],
)
def test_bad_coordinates_are_refused_with_the_field(subcounty, latitude, longitude, field):
    with pytest.raises(DomainError) as refused:
        hall_create(
            name="东山街道便民服务中心",
            region=region_get("320115001000"),
            latitude=latitude,
            longitude=longitude,
        )
    assert refused.value.code == "hall_coordinates_invalid"
    assert refused.value.fields == [{"field": field}]
    assert not Hall.objects.exists()


def test_the_database_refuses_half_coordinates_even_past_the_service(subcounty):
    from django.db import IntegrityError, transaction

    hall = hall_create(name="东山街道便民服务中心", region=region_get("320115001000"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Hall.objects.filter(pk=hall.pk).update(latitude=Decimal("31.9"))


def test_hall_update_corrects_facts_all_or_nothing_and_audits_old_and_new(subcounty):
    hall = hall_create(
        name="东山街道便民服务中心",
        region=region_get("320115001000"),
        phone="025-1",
        latitude="31.95",
        longitude="118.84",
    )
    with pytest.raises(DomainError) as refused:
        hall_update(
            hall_id=hall.pk, changes={"phone": "025-52121234", "latitude": "300"}, actor="staff:1"
        )
    assert refused.value.code == "hall_coordinates_invalid"
    hall.refresh_from_db()
    assert hall.phone == "025-1"  # nothing half-applied
    with pytest.raises(DomainError) as forbidden:
        hall_update(hall_id=hall.pk, changes={"name": "别的名字"}, actor="staff:1")
    assert forbidden.value.code == "hall_field_invalid"
    hall_update(
        hall_id=hall.pk,
        changes={"phone": "025-52121234", "latitude": "31.951"},
        actor="staff:1",
        reason="纠错 1",
    )
    hall.refresh_from_db()
    assert hall.phone == "025-52121234" and hall.latitude == Decimal("31.951000")
    event = AuditEvent.objects.get(action="org.hall_update")
    assert {"field": "phone", "old": "025-1", "new": "025-52121234"} in event.details["changes"]
    assert event.details["reason"] == "纠错 1"
    # The same values again change nothing and write no second event.
    hall_update(hall_id=hall.pk, changes={"phone": "025-52121234"}, actor="staff:1")
    assert AuditEvent.objects.filter(action="org.hall_update").count() == 1
