"""Reads of policy push, scoped to a business the caller already may act for."""

from __future__ import annotations

from django.db.models import QuerySet

from tongban.identity.models import LegalEntity
from tongban.policies.models import PolicyMatch, PolicyOptIn


def policy_matches_for_business(*, entity: LegalEntity, limit: int = 20) -> list[PolicyMatch]:
    """The policies pushed to ``entity`` (from ``spaces.business_get_for_user``), newest first."""
    qs: QuerySet[PolicyMatch] = (
        PolicyMatch.objects.filter(credit_code=entity.credit_code)
        .select_related("policy")
        .order_by("-matched_at", "-id")
    )
    return list(qs[:limit])


def policy_sms_opted_in(*, entity: LegalEntity) -> bool:
    return PolicyOptIn.objects.filter(legal_entity=entity, sms=True).exists()
