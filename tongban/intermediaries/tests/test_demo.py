"""The demo loads the marketplace twice without creating anything the second time."""

from __future__ import annotations

from tests.support.accounts import demo_people_load
from tongban.core.models import DrawRecord
from tongban.intermediaries.demo import demo_intermediaries_load
from tongban.intermediaries.models import (
    Purchase,
    PurchaseStatus,
    Tender,
    TenderExpert,
    TenderStatus,
)
from tongban.org.demo import demo_org_load


def test_the_demo_is_idempotent_and_has_purchases_in_several_states(db):
    demo_org_load()
    demo_people_load()
    first = demo_intermediaries_load()
    assert first["agencies"] == 6 and first["experts"] == 12 and first["tenders_created"] == 3
    statuses = set(Purchase.objects.values_list("status", flat=True))
    assert {PurchaseStatus.RATED, PurchaseStatus.SIGNUP} <= statuses
    again = demo_intermediaries_load()
    assert again["purchases_created"] == 0 and again["tenders_created"] == 0
    assert Tender.objects.count() == 3
    drawn = Tender.objects.get(status=TenderStatus.EVALUATING)
    seats = list(TenderExpert.objects.filter(tender=drawn).select_related("expert"))
    assert len(seats) == 5 and all(s.expert.region_path and s.expert.phone_masked for s in seats)
    assert all(s.expert.specialty == drawn.expert_specialty for s in seats)
    assert DrawRecord.objects.get(public_id=str(drawn.expert_draw_public_id)).result
