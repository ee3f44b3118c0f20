"""Writes of identity: persons, legal entities, accounts, authorizations, login, tokens.

Personal data (ID and phone numbers) is stored only encrypted (SM4-GCM) with
a keyed search token (HMAC-SM3) and a masked copy for display (DESIGN §8).
Audit details carry masked values only.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.audit import audit_record
from tongban.core.crypto import encrypt, search_token
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_credit_code, validate_resident_id
from tongban.core.masking import mask_id_number, mask_name, mask_phone
from tongban.core.ratelimit import rate_limit_hit, rate_limit_reset, seconds_until_reset
from tongban.identity import errors
from tongban.identity.models import (
    AccountKind,
    ApiToken,
    AuthorizationRole,
    BusinessAuthorization,
    LegalEntity,
    Person,
    RealNameLevel,
    User,
)
from tongban.identity.selectors import (
    ID_NUMBER_CONTEXT,
    PHONE_CONTEXT,
    active_authorizations,
    person_find_by_id_number,
)

TOKEN_CONTEXT = "identity.api_token"  # noqa: S105  (an HMAC context label, not a secret)
TOKEN_PREFIX = "tb_"  # noqa: S105  (the public marker of our tokens)
TOKEN_SHOWN_CHARS = 8
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)

_PHONE_RE = re.compile(r"^1\d{10}$")
_USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{2,149}$")
_NAME_MAX = 50


def _actor(user: User | None) -> str:
    return f"user:{user.pk}" if user is not None else "system"


# --- natural persons and legal entities -------------------------------------


def validate_phone(value: str) -> str:
    """A mainland mobile number: 11 digits starting with 1."""
    phone = (value or "").strip().replace(" ", "").replace("-", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not _PHONE_RE.match(phone):
        raise DomainError(core_errors.INVALID_PHONE, "手机号码无效：应为以 1 开头的 11 位数字")
    return phone


def validate_person_name(value: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise DomainError(errors.INVALID_NAME, "姓名不能为空")
    if len(name) > _NAME_MAX:
        raise DomainError(errors.INVALID_NAME, f"姓名不能超过 {_NAME_MAX} 个字符")
    return name


def person_register(
    *, name: str, id_number: str, phone: str = "", now: dt.datetime | None = None
) -> Person:
    """Register a natural person, or return the one already registered with this ID.

    The name must agree with an existing record (the ID/name check of 实名 L1).
    A phone given for a person who has none yet is added.
    """
    now = now or clock.now()
    name = validate_person_name(name)
    resident = validate_resident_id(id_number, today=clock.local_date(now))
    phone = validate_phone(phone) if phone else ""
    existing = person_find_by_id_number(resident.number)
    if existing is None:
        person = Person(
            name=name,
            id_number_enc=encrypt(resident.number, context=ID_NUMBER_CONTEXT),
            id_number_token=search_token(resident.number, context=ID_NUMBER_CONTEXT),
            id_number_masked=mask_id_number(resident.number),
            birth_date=resident.birth_date,
            sex=resident.sex,
            region_code=resident.region_code,
            created_at=now,
        )
        if phone:
            _set_phone(person, phone)
        try:
            with transaction.atomic():
                person.save(force_insert=True)
                audit_record(
                    actor="system",
                    action="identity.person_registered",
                    object_type="identity.Person",
                    object_id=str(person.pk),
                    details={"id_number": person.id_number_masked},
                    now=now,
                )
            return person
        except IntegrityError:
            # Registered concurrently by someone else: continue with theirs.
            existing = person_find_by_id_number(resident.number)
            if existing is None:
                raise
    if existing.name != name:
        raise DomainError(errors.PERSON_NAME_MISMATCH, "姓名与公民身份号码不一致，请核对")
    if phone and not existing.phone_token:
        _set_phone(existing, phone)
        existing.save(update_fields=["phone_enc", "phone_token", "phone_masked"])
    return existing


def _set_phone(person: Person, phone: str) -> None:
    person.phone_enc = encrypt(phone, context=PHONE_CONTEXT)
    person.phone_token = search_token(phone, context=PHONE_CONTEXT)
    person.phone_masked = mask_phone(phone)


def legal_entity_register(
    *,
    credit_code: str,
    name: str,
    legal_representative: Person,
    now: dt.datetime | None = None,
) -> LegalEntity:
    """Register a legal entity by its 统一社会信用代码, or return the registered one."""
    now = now or clock.now()
    code = validate_credit_code(credit_code)
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(core_errors.VALIDATION_FAILED, "法人名称不能为空")
    existing = LegalEntity.objects.filter(credit_code=code).first()
    if existing is not None:
        if existing.name != name:
            raise DomainError(
                errors.LEGAL_ENTITY_NAME_MISMATCH, "名称与统一社会信用代码登记的名称不一致"
            )
        return existing
    with transaction.atomic():
        entity = LegalEntity.objects.create(
            credit_code=code,
            name=name,
            legal_representative=legal_representative,
            # GB 32100-2015: characters 3–8 are the registering authority's region.
            region_code=code[2:8],
            created_at=now,
        )
        audit_record(
            actor="system",
            action="identity.legal_entity_registered",
            object_type="identity.LegalEntity",
            object_id=str(entity.pk),
            details={"credit_code": code},
            now=now,
        )
    return entity


# --- accounts ------------------------------------------------------------------


def _validate_username(username: str) -> str:
    username = (username or "").strip()
    if not _USERNAME_RE.match(username):
        raise DomainError(
            errors.INVALID_USERNAME,
            "用户名须为 3 到 150 位字母、数字或 _ . @ -，并以字母或数字开头",
        )
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(errors.USERNAME_TAKEN, f"用户名 {username} 已被使用")
    return username


def _check_password(password: str, user: User) -> None:
    try:
        with translation.override("zh-hans"):
            validate_password(password, user=user)
    except ValidationError as exc:
        with translation.override("zh-hans"):
            messages = [str(m) for m in exc.messages]
        raise DomainError(
            errors.WEAK_PASSWORD,
            "密码不符合要求：" + "；".join(messages),
            fields=[
                {"field": "body.password", "code": "weak_password", "message": m} for m in messages
            ],
        ) from None


def _create_user(*, user: User, password: str | None, now: dt.datetime, actor: User | None) -> User:
    if password is None:
        user.set_unusable_password()
    else:
        _check_password(password, user)
        user.set_password(password)
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            audit_record(
                actor=_actor(actor),
                action="identity.account_created",
                object_type="identity.User",
                object_id=str(user.pk),
                details={"username": user.username, "kind": user.kind},
                now=now,
            )
    except IntegrityError:
        raise DomainError(errors.USERNAME_TAKEN, f"用户名 {user.username} 已被使用") from None
    return user


def citizen_signup(
    *,
    phone: str,
    password: str,
    name: str,
    id_number: str,
    username: str | None = None,
    now: dt.datetime | None = None,
) -> User:
    """A citizen's own sign-up: an account at 实名 level L1 after the ID/name check.

    The username defaults to the phone number. One citizen account per person.
    """
    now = now or clock.now()
    phone = validate_phone(phone)
    username = _validate_username(username or phone)
    with transaction.atomic():
        person = person_register(name=name, id_number=id_number, phone=phone, now=now)
        if User.objects.filter(person=person, kind=AccountKind.CITIZEN).exists():
            raise DomainError(
                errors.ID_NUMBER_REGISTERED,
                "该公民身份号码已注册个人账号，请直接登录或找回密码",
            )
        user = User(
            username=username,
            kind=AccountKind.CITIZEN,
            display_name=mask_name(person.name),
            person=person,
            real_name_level=RealNameLevel.L1,
        )
        return _create_user(user=user, password=password, now=now, actor=None)


def business_account_create(
    *,
    username: str,
    password: str,
    person: Person,
    legal_entity: LegalEntity,
    role: AuthorizationRole = AuthorizationRole.AGENT,
    granted_by: User | None = None,
    valid_until: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> User:
    """A 法人用户 account operated by ``person`` and authorized for ``legal_entity``."""
    now = now or clock.now()
    username = _validate_username(username)
    with transaction.atomic():
        user = User(
            username=username,
            kind=AccountKind.BUSINESS,
            display_name=f"{legal_entity.name}（{mask_name(person.name)}）",
            person=person,
            real_name_level=RealNameLevel.L1,
        )
        _create_user(user=user, password=password, now=now, actor=granted_by)
        authorization_grant(
            user=user,
            legal_entity=legal_entity,
            role=role,
            granted_by=granted_by,
            valid_until=valid_until,
            now=now,
        )
    return user


def staff_account_create(
    *,
    username: str,
    display_name: str,
    password: str,
    actor: User | None = None,
    now: dt.datetime | None = None,
) -> User:
    """A staff login; roles and data scopes are assigned in ``org``."""
    now = now or clock.now()
    user = User(
        username=_validate_username(username),
        kind=AccountKind.STAFF,
        display_name=validate_person_name(display_name),
    )
    return _create_user(user=user, password=password, now=now, actor=actor)


def system_account_create(
    *, name: str, display_name: str = "", actor: User | None = None, now: dt.datetime | None = None
) -> User:
    """An account for another system; it has no password and uses API tokens."""
    now = now or clock.now()
    user = User(
        username=_validate_username(name),
        kind=AccountKind.SYSTEM,
        display_name=(display_name or name).strip()[:100],
    )
    return _create_user(user=user, password=None, now=now, actor=actor)


# --- business authorizations ---------------------------------------------------


def _may_grant(granted_by: User | None, legal_entity: LegalEntity, now: dt.datetime) -> bool:
    if granted_by is None or granted_by.kind in (AccountKind.STAFF, AccountKind.SYSTEM):
        return True
    return (
        active_authorizations(now=now)
        .filter(
            user=granted_by,
            legal_entity=legal_entity,
            role=AuthorizationRole.LEGAL_REPRESENTATIVE,
        )
        .exists()
    )


def authorization_grant(
    *,
    user: User,
    legal_entity: LegalEntity,
    role: AuthorizationRole,
    granted_by: User | None = None,
    valid_until: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> BusinessAuthorization:
    """Let a business account act for a legal entity.

    法定代表人: only the account of the entity's registered legal representative.
    经办人: granted by the legal representative's account (or by staff / the system).
    """
    now = now or clock.now()
    if user.kind != AccountKind.BUSINESS:
        raise DomainError(core_errors.VALIDATION_FAILED, "只能为法人用户账号授权")
    if valid_until is not None and valid_until <= now:
        raise DomainError(core_errors.VALIDATION_FAILED, "授权有效期须晚于当前时间")
    if (
        role == AuthorizationRole.LEGAL_REPRESENTATIVE
        and user.person_id != legal_entity.legal_representative_id
    ):
        raise DomainError(
            errors.NOT_LEGAL_REPRESENTATIVE, "该账号的实名人员不是此法人登记的法定代表人"
        )
    if not _may_grant(granted_by, legal_entity, now):
        raise DomainError(errors.AUTHORIZATION_FORBIDDEN, "只有法定代表人可以为本单位授权经办人")
    with transaction.atomic():
        # An expired authorization still open is closed, so a new one may start.
        BusinessAuthorization.objects.filter(
            user=user, legal_entity=legal_entity, revoked_at__isnull=True, valid_until__lte=now
        ).update(revoked_at=now)
        try:
            with transaction.atomic():
                authorization = BusinessAuthorization.objects.create(
                    user=user,
                    legal_entity=legal_entity,
                    role=role,
                    granted_by=granted_by,
                    granted_at=now,
                    valid_until=valid_until,
                )
        except IntegrityError:
            raise DomainError(
                errors.AUTHORIZATION_EXISTS, "该账号已有此法人的有效授权，如需变更请先撤销"
            ) from None
        audit_record(
            actor=_actor(granted_by),
            action="identity.authorization_granted",
            object_type="identity.BusinessAuthorization",
            object_id=str(authorization.pk),
            details={
                "user": user.pk,
                "credit_code": legal_entity.credit_code,
                "role": role,
                "valid_until": valid_until,
            },
            now=now,
        )
    return authorization


def authorization_revoke(
    *,
    authorization: BusinessAuthorization,
    revoked_by: User | None = None,
    now: dt.datetime | None = None,
) -> BusinessAuthorization:
    """End an authorization; revoking one already revoked changes nothing."""
    now = now or clock.now()
    if not _may_grant(revoked_by, authorization.legal_entity, now):
        raise DomainError(errors.AUTHORIZATION_FORBIDDEN, "只有法定代表人可以撤销本单位的授权")
    with transaction.atomic():
        locked = BusinessAuthorization.objects.select_for_update().get(pk=authorization.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = now
        locked.revoked_by = revoked_by
        locked.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=_actor(revoked_by),
            action="identity.authorization_revoked",
            object_type="identity.BusinessAuthorization",
            object_id=str(locked.pk),
            details={"user": locked.user_id, "legal_entity": locked.legal_entity_id},
            now=now,
        )
    return locked


# --- login -------------------------------------------------------------------------


def login_attempt(
    *, username: str, password: str, address: str = "", now: dt.datetime | None = None
) -> User:
    """Check a username and password; the user, or ``login_failed`` / ``login_rate_limited``.

    Attempts are counted per username and per address (settings
    ``TONGBAN_LOGIN_RATE_LIMIT`` per ``TONGBAN_LOGIN_RATE_WINDOW_SECONDS``)
    before the password is checked, so a limited caller learns nothing.
    Call outside an atomic block: the count and the audit row must survive
    the error.
    """
    now = now or clock.now()
    username = (username or "").strip()[:150]
    limit = settings.TONGBAN_LOGIN_RATE_LIMIT
    window = settings.TONGBAN_LOGIN_RATE_WINDOW_SECONDS
    user_key = f"login:user:{username.lower()}"
    hits = [rate_limit_hit(key=user_key, limit=limit, window_seconds=window, now=now)]
    if address:
        hits.append(
            rate_limit_hit(key=f"login:addr:{address}", limit=limit, window_seconds=window, now=now)
        )
    details: dict[str, Any] = {"username": username}
    if any(hits):
        audit_record(
            actor="anonymous",
            action="identity.login_rate_limited",
            object_type="identity.User",
            object_id=username,
            address=address,
            details=details,
            now=now,
        )
        minutes = math.ceil(seconds_until_reset(now, window) / 60)
        raise DomainError(
            errors.LOGIN_RATE_LIMITED,
            f"登录尝试过于频繁，请 {minutes} 分钟后再试",
            extra={"retry_after": minutes * 60},
        )
    found = authenticate(None, username=username, password=password)
    user = found if isinstance(found, User) else None
    if user is None or user.kind == AccountKind.SYSTEM:
        audit_record(
            actor="anonymous",
            action="identity.login_failed",
            object_type="identity.User",
            object_id=username,
            address=address,
            details=details,
            now=now,
        )
        raise DomainError(errors.LOGIN_FAILED, "用户名或密码错误")
    rate_limit_reset(user_key)
    User.objects.filter(pk=user.pk).update(last_login=now)
    user.last_login = now
    audit_record(
        actor=f"user:{user.pk}",
        action="identity.login_succeeded",
        object_type="identity.User",
        object_id=str(user.pk),
        address=address,
        details=details,
        now=now,
    )
    return user


# --- API tokens ---------------------------------------------------------------------


def _token_hash(plaintext: str) -> str:
    return search_token(plaintext, context=TOKEN_CONTEXT)


def token_create(
    *,
    user: User,
    name: str,
    expires_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new API token for ``user``; the plaintext is returned once and never stored."""
    now = now or clock.now()
    if expires_at is not None and expires_at <= now:
        raise DomainError(core_errors.VALIDATION_FAILED, "令牌过期时间须晚于当前时间")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=(name or "").strip()[:100] or "未命名令牌",
            prefix=plaintext[:TOKEN_SHOWN_CHARS],
            token_hash=_token_hash(plaintext),
            created_at=now,
            expires_at=expires_at,
        )
        audit_record(
            actor=f"user:{user.pk}",
            action="identity.token_created",
            object_type="identity.ApiToken",
            object_id=str(token.pk),
            details={"prefix": token.prefix, "name": token.name, "expires_at": expires_at},
            now=now,
        )
    return token, plaintext


def token_authenticate(plaintext: str, *, now: dt.datetime | None = None) -> User | None:
    """The active user a token belongs to, or None (unknown, expired, revoked, inactive).

    The lookup is by the keyed hash, so comparing never touches the secret.
    """
    if not plaintext or not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 200:
        return None
    now = now or clock.now()
    token = (
        ApiToken.objects.select_related("user").filter(token_hash=_token_hash(plaintext)).first()
    )
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def token_revoke(
    *, token: ApiToken, actor: User | None = None, now: dt.datetime | None = None
) -> ApiToken:
    """Revoke a token; revoking one already revoked changes nothing."""
    now = now or clock.now()
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = now
        locked.save(update_fields=["revoked_at"])
        audit_record(
            actor=_actor(actor),
            action="identity.token_revoked",
            object_type="identity.ApiToken",
            object_id=str(locked.pk),
            details={"prefix": locked.prefix},
            now=now,
        )
    return locked


def token_revoke_by_prefix(
    *, prefix: str, actor: User | None = None, now: dt.datetime | None = None
) -> ApiToken:
    """Revoke the one token shown as ``prefix`` (``tongban token revoke``)."""
    matches = list(ApiToken.objects.filter(prefix=prefix.strip())[:2])
    if not matches:
        raise DomainError(errors.TOKEN_NOT_FOUND, f"没有前缀为 {prefix} 的访问令牌")
    if len(matches) > 1:
        raise DomainError(
            errors.TOKEN_PREFIX_AMBIGUOUS, f"前缀 {prefix} 对应多个令牌，请在管理后台撤销"
        )
    return token_revoke(token=matches[0], actor=actor, now=now)
