"""The demo loads the marketplace twice without creating anything the second time."""

from __future__ import annotations

from tongban.identity.demo import demo_identity_load
from tongban.intermediaries.demo import demo_intermediaries_load
from tongban.intermediaries.models import Purchase, PurchaseStatus, Tender
from tongban.org.demo import demo_org_load


def test_the_demo_is_idempotent_and_has_purchases_in_several_states(db):
    demo_org_load()
    demo_identity_load()
    first = demo_intermediaries_load()
    assert first["agencies"] == 6 and first["experts"] == 12 and first["tenders_created"] == 2
    statuses = set(Purchase.objects.values_list("status", flat=True))
    assert {PurchaseStatus.RATED, PurchaseStatus.SIGNUP} <= statuses
    again = demo_intermediaries_load()
    assert again["purchases_created"] == 0 and again["tenders_created"] == 0
    assert Tender.objects.count() == 2
