"""The public citizen sign-up: the phone proved by SMS, one answer for every refusal.

Issue 9, item 3. The probe found two holes:

- **An oracle.** ``person_name_mismatch`` and ``id_number_registered`` told
  anyone, without limit, whether a name belongs to an ID number. Here every
  refusal of the identity check has one code, one text and one status
  (``signup_refused``), and refusals are limited per address and per ID
  number (``TONGBAN_SIGNUP_FAILURES_PER_*``).
- **A phone without proof.** The phone is proved before the account exists:
  :func:`signup_code_send` texts a six-digit code through the configured SMS
  gateway (the demo's logging gateway writes it to the server log) and
  returns an opaque ``verification`` handle; :func:`citizen_signup_verified`
  takes the handle and the code. Only a keyed hash of the code is stored; a
  code lives ``TONGBAN_SIGNUP_CODE_TTL_SECONDS``, allows
  ``TONGBAN_SIGNUP_CODE_MAX_ATTEMPTS`` submissions and is used once. Sending
  is limited per phone and per address, so the endpoint cannot bomb a phone.

Call both outside an atomic block: counts and attempts must survive a refusal.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F

from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.crypto import decrypt, encrypt, search_token
from tongban.core.errors import DomainError
from tongban.core.masking import mask_phone
from tongban.core.notifications import GatewayError, gateway_for
from tongban.core.ratelimit import (
    note_retry_after,
    private_part,
    rate_limit_check,
    rate_limit_hit,
    seconds_until_reset,
    wait_text,
)
from tongban.identity import errors
from tongban.identity.models import PhoneVerification, User
from tongban.identity.selectors import PHONE_CONTEXT, normalize_id_number
from tongban.identity.services.accounts import citizen_signup
from tongban.identity.services.persons import validate_phone

logger = logging.getLogger(__name__)

PURPOSE_SIGNUP = "signup"
CODE_CONTEXT = "identity.phone_verification.code"
HOUR = 3600
DAY = 24 * HOUR
# One text for every refusal of the identity check (issue 9, item 3).
NEUTRAL_REFUSAL = (
    "无法使用所填身份信息注册。请核对姓名和公民身份号码；如已注册个人账号，请直接登录。"
)
CODE_REFUSAL = "验证码错误或已失效，请核对或重新获取验证码。"
_IDENTITY_REFUSALS = {errors.PERSON_NAME_MISMATCH.code, errors.ID_NUMBER_REGISTERED.code}

SMS_UNAVAILABLE = core_errors.define("sms_unavailable", 503, "短信暂时无法发送")


@dataclass(frozen=True)
class CodeSent:
    verification: str
    phone_masked: str
    expires_at: dt.datetime
    resend_after_seconds: int


def _code_hash(public_id: str, code: str) -> str:
    return search_token(f"{public_id}:{code}", context=CODE_CONTEXT)


def _limited(detail: str, wait: int) -> DomainError:
    wait = note_retry_after(wait)
    return DomainError(
        errors.SIGNUP_RATE_LIMITED,
        f"{detail}，请 {wait_text(wait)}后再试",
        extra={"retry_after": wait},
        headers={"Retry-After": str(wait)},
    )


def signup_code_send(*, phone: str, address: str = "", now: dt.datetime | None = None) -> CodeSent:
    """Text a sign-up code to ``phone``; the handle to send back with it.

    The answer is the same whether or not the phone belongs to an account.
    """
    now = now or clock.now()
    phone = validate_phone(phone)
    phone_token = search_token(phone, context=PHONE_CONTEXT)
    resend = settings.TONGBAN_SIGNUP_CODE_RESEND_SECONDS
    last = (
        PhoneVerification.objects.filter(phone_token=phone_token, purpose=PURPOSE_SIGNUP)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if last is not None and (now - last).total_seconds() < resend:
        raise _limited("验证码已发送", max(1, math.ceil(resend - (now - last).total_seconds())))
    if address and rate_limit_hit(
        key=f"signup-code:address:{address}",
        limit=settings.TONGBAN_SIGNUP_CODES_PER_ADDRESS,
        window_seconds=HOUR,
        now=now,
    ):
        raise _limited("获取验证码过于频繁", seconds_until_reset(now, HOUR))
    if rate_limit_hit(
        key=f"signup-code:phone:{private_part(phone)}",
        limit=settings.TONGBAN_SIGNUP_CODES_PER_PHONE,
        window_seconds=HOUR,
        now=now,
    ):
        raise _limited("该手机号码获取验证码过于频繁", seconds_until_reset(now, HOUR))
    code = f"{secrets.randbelow(10**6):06d}"
    public_id = secrets.token_urlsafe(24)
    ttl = settings.TONGBAN_SIGNUP_CODE_TTL_SECONDS
    with transaction.atomic():
        # Rows long expired are of no use to anyone.
        PhoneVerification.objects.filter(expires_at__lt=now - dt.timedelta(days=1)).delete()
        row = PhoneVerification.objects.create(
            public_id=public_id,
            purpose=PURPOSE_SIGNUP,
            phone_enc=encrypt(phone, context=PHONE_CONTEXT),
            phone_token=phone_token,
            phone_masked=mask_phone(phone),
            code_hash=_code_hash(public_id, code),
            created_at=now,
            expires_at=now + dt.timedelta(seconds=ttl),
        )
    body = (
        f"【通办】您的注册验证码为 {code}，{max(1, ttl // 60)} 分钟内有效。"
        "请勿告诉他人；如非本人操作，请忽略本短信。"
    )
    # Sent now, not through the outbox: a notification row would keep the code
    # in clear, and a code that arrives late is of no use anyway.
    try:
        gateway_for("sms").send(recipient=phone, subject="注册验证码", body=body)
    except GatewayError as exc:
        logger.warning("sign-up code to %s not sent: %s", row.phone_masked, exc)
        row.delete()
        raise DomainError(SMS_UNAVAILABLE, "短信暂时无法发送，请稍后重试") from None
    return CodeSent(
        verification=public_id,
        phone_masked=row.phone_masked,
        expires_at=row.expires_at,
        resend_after_seconds=resend,
    )


def signup_verification_get(
    *, verification: str, now: dt.datetime | None = None
) -> PhoneVerification | None:
    """The live (unexpired, unused, not exhausted) sign-up verification, or None."""
    now = now or clock.now()
    if not verification or len(verification) > 64:
        return None
    return PhoneVerification.objects.filter(
        public_id=verification,
        purpose=PURPOSE_SIGNUP,
        used_at__isnull=True,
        expires_at__gt=now,
        attempts__lt=settings.TONGBAN_SIGNUP_CODE_MAX_ATTEMPTS,
    ).first()


def signup_code_resend(
    *, verification: str, address: str = "", now: dt.datetime | None = None
) -> CodeSent:
    """A new code for the phone of an earlier verification (the page keeps no phone)."""
    now = now or clock.now()
    row = PhoneVerification.objects.filter(public_id=verification, purpose=PURPOSE_SIGNUP).first()
    if row is None or row.used_at is not None:
        raise DomainError(errors.SIGNUP_CODE_INVALID, "请重新填写手机号码获取验证码。")
    return signup_code_send(
        phone=decrypt(row.phone_enc, context=PHONE_CONTEXT), address=address, now=now
    )


def _failure_keys(address: str, id_number: str) -> list[tuple[str, int, int]]:
    """(key, limit, window) of the refused sign-ups that are limited."""
    keys = [
        (
            f"signup-failed:id:{private_part(normalize_id_number(id_number))}",
            settings.TONGBAN_SIGNUP_FAILURES_PER_ID_NUMBER,
            DAY,
        )
    ]
    if address:
        keys.append(
            (f"signup-failed:address:{address}", settings.TONGBAN_SIGNUP_FAILURES_PER_ADDRESS, HOUR)
        )
    return keys


def _count_refusal(keys: list[tuple[str, int, int]], now: dt.datetime) -> None:
    for key, limit, window in keys:
        rate_limit_hit(key=key, limit=limit, window_seconds=window, now=now)


def _use_attempt(public_id: str, code: str, now: dt.datetime) -> str | None:
    """Count one submission on the verification; its phone when the code is right."""
    with transaction.atomic():
        row = (
            PhoneVerification.objects.select_for_update()
            .filter(public_id=public_id, purpose=PURPOSE_SIGNUP)
            .first()
        )
        if (
            row is None
            or row.used_at is not None
            or row.expires_at <= now
            or row.attempts >= settings.TONGBAN_SIGNUP_CODE_MAX_ATTEMPTS
        ):
            return None
        row.attempts += 1
        row.save(update_fields=["attempts"])
        if not hmac.compare_digest(row.code_hash, _code_hash(public_id, code.strip())):
            return None
        return decrypt(row.phone_enc, context=PHONE_CONTEXT)


def citizen_signup_verified(
    *,
    verification: str,
    code: str,
    password: str,
    name: str,
    id_number: str,
    username: str | None = None,
    address: str = "",
    now: dt.datetime | None = None,
) -> User:
    """Sign a citizen up with a phone proved by ``code`` (see the module docstring).

    Refusals: ``signup_rate_limited`` (429), ``signup_code_invalid``,
    ``signup_refused`` (the one answer of the identity check), and the format
    checks that tell nothing about anyone (``invalid_resident_id``,
    ``invalid_name``, ``invalid_username``, ``username_taken``, ``weak_password``).
    """
    now = now or clock.now()
    keys = _failure_keys(address, id_number)
    wait = max(
        rate_limit_check(key=key, limit=limit, window_seconds=window, now=now)
        for key, limit, window in keys
    )
    if wait:
        raise _limited("注册尝试过于频繁", wait)
    phone = _use_attempt((verification or "").strip(), code or "", now)
    if phone is None:
        # A wrong code says nothing about the ID number: counted on the address only,
        # so that nobody can block a stranger's ID number with wrong codes.
        _count_refusal(keys[1:], now)
        raise DomainError(errors.SIGNUP_CODE_INVALID, CODE_REFUSAL)
    try:
        with transaction.atomic():
            user = citizen_signup(
                phone=phone,
                password=password,
                name=name,
                id_number=id_number,
                username=username,
                now=now,
            )
            PhoneVerification.objects.filter(public_id=verification).update(used_at=now)
    except DomainError as exc:
        if exc.code not in _IDENTITY_REFUSALS:
            # A typo in a format: the code stays usable for the corrected form.
            PhoneVerification.objects.filter(public_id=verification, attempts__gt=0).update(
                attempts=F("attempts") - 1
            )
            raise
        _count_refusal(keys, now)
        raise DomainError(errors.SIGNUP_REFUSED, NEUTRAL_REFUSAL) from None
    return user
