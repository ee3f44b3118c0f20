"""Reads of identity (CONVENTIONS 2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from tongban.core import clock
from tongban.core.crypto import decrypt, search_token
from tongban.core.prepared import PreparedRead
from tongban.identity.models import (
    BusinessAuthorization,
    LegalEntity,
    Person,
    RealNameVerification,
    User,
)

ID_NUMBER_CONTEXT = "identity.person.id_number"
PHONE_CONTEXT = "identity.person.phone"


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def person_find_by_id_number(id_number: str) -> Person | None:
    """The person with this 公民身份号码, found by its search token (never by plaintext)."""
    number = normalize_id_number(id_number)
    if not number:
        return None
    token = search_token(number, context=ID_NUMBER_CONTEXT)
    return Person.objects.filter(id_number_token=token).first()


def normalize_credit_code(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def legal_entity_find_by_credit_code(credit_code: str) -> LegalEntity | None:
    """The legal entity with this 统一社会信用代码 (GB 32100-2015), with its
    法定代表人; ``None`` when none is registered. Credit codes are public."""
    code = normalize_credit_code(credit_code)
    if not code:
        return None
    return (
        LegalEntity.objects.select_related("legal_representative").filter(credit_code=code).first()
    )


def active_authorizations(*, now: dt.datetime | None = None) -> QuerySet[BusinessAuthorization]:
    now = now or clock.now()
    return BusinessAuthorization.objects.filter(revoked_at__isnull=True).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=now)
    )


def legal_entities_for_user(*, user: User, now: dt.datetime | None = None) -> QuerySet[LegalEntity]:
    """The legal entities this account may currently act for (法定代表人 or 经办人)."""
    if not user.is_authenticated or not user.is_active:
        return LegalEntity.objects.none()
    entity_ids = active_authorizations(now=now).filter(user=user).values("legal_entity_id")
    return LegalEntity.objects.filter(id__in=entity_ids).order_by("credit_code")


def legal_entity_ids_for_user(*, user: User, now: dt.datetime | None = None) -> list[int]:
    """The ids of :func:`legal_entities_for_user`, for filtering an applicant's
    own rows: the account's current authorizations only (no subquery, no
    ordering, no legal entity row read), in one statement compiled once per
    connection (core.prepared)."""
    if not user.is_authenticated or not user.is_active:
        return []
    rows = _ENTITY_IDS_READ.rows(user_id=user.pk, now=now or clock.now())
    return sorted({entity_id for (entity_id,) in rows})


_ENTITY_IDS_READ = PreparedRead(
    BusinessAuthorization,
    {"user_id": int, "now": dt.datetime},
    lambda user_id, now: (
        active_authorizations(now=now).filter(user_id=user_id).values_list("legal_entity_id")
    ),
)


def authorizations_for_user(
    *, user: User, now: dt.datetime | None = None
) -> QuerySet[BusinessAuthorization]:
    """This account's current authorizations, with their legal entities."""
    return (
        active_authorizations(now=now)
        .filter(user=user)
        .select_related("legal_entity")
        .order_by("legal_entity__credit_code")
    )


def phone_for_sms(user: Any) -> str | None:
    """The phone the platform's own SMS to ``user`` goes to (decrypted), None
    when the account has no person or the person no phone. For sending, not for
    display (``person_phone_reveal`` audits a reveal)."""
    person = getattr(user, "person", None)
    if person is None or not person.phone_enc:
        return None
    return decrypt(person.phone_enc, context=PHONE_CONTEXT)


def citizen_usernames_for_phone(phone: str) -> list[str]:
    """Usernames of the active citizen accounts whose person has this phone
    (normalized, ``core.identifiers.validate_mobile_phone``); at most two: more
    than one means the phone cannot stand for an account."""
    token = search_token(phone, context=PHONE_CONTEXT)
    return list(
        User.objects.filter(kind="citizen", is_active=True, person__phone_token=token)
        .order_by("pk")
        .values_list("username", flat=True)[:2]
    )


def person_real_name_level(person: Person | None) -> int:
    """The highest real-name level any account of ``person`` holds (0 for none).

    Levels are verified facts about the person (her name and ID number in the
    自然人库, her ID card seen at a window), so any of her accounts counts.
    """
    if person is None or person.pk is None:
        return 0
    levels = User.objects.filter(person_id=person.pk).values_list("real_name_level", flat=True)
    return max(levels, default=0)


def real_name_verifications_for_user(*, user: User, limit: int = 20) -> list[RealNameVerification]:
    """How the account's person reached her level: the raises of all her accounts,
    newest first, with the hall and department of a window check."""
    if not user.is_authenticated or user.person_id is None:
        return []
    return list(
        RealNameVerification.objects.filter(person_id=user.person_id)
        .select_related("department", "hall")
        .order_by("-verified_at", "-pk")[:limit]
    )
