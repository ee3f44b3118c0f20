"""The demo halls get themes, hours and slot rules, once."""

from __future__ import annotations

from tongban.appointments.demo import demo_appointments_load
from tongban.appointments.models import DayKind, OpeningHours, Theme
from tongban.org.models import Hall


def test_every_demo_hall_gets_its_themes_and_a_second_load_adds_nothing(world):
    loaded = demo_appointments_load()
    assert loaded["themes_created"] > 0
    nanjing = Hall.objects.get(name="南京市政务服务中心")  # set up by the fixture already
    # The fixture's own themes are kept as they were; the others are added.
    assert [t.prefix for t in Theme.objects.filter(hall=nanjing)] == ["A", "B", "C", "D"]
    assert Theme.objects.get(hall=nanjing, prefix="A").minutes_per_ticket == 15
    county = Hall.objects.exclude(region__code__endswith="00").first()
    assert county is not None
    assert [t.prefix for t in Theme.objects.filter(hall=county)] == ["A", "B", "C", "D"]
    assert not OpeningHours.objects.filter(hall=county, day_kind=DayKind.REST).exists()
    city = Hall.objects.filter(region__code__endswith="00").exclude(pk=nanjing.pk).first()
    assert city is not None
    assert OpeningHours.objects.filter(hall=city, day_kind=DayKind.REST).exists()
    again = demo_appointments_load()
    assert again["themes_created"] == 0 and again["themes"] == loaded["themes"]
