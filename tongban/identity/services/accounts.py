"""Accounts (citizen, business, staff, system) and business authorizations."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import DomainError
from tongban.core.masking import mask_name
from tongban.identity import errors
from tongban.identity.models import (
    AccountKind,
    AuthorizationRole,
    BusinessAuthorization,
    LegalEntity,
    Person,
    RealNameLevel,
    User,
)
from tongban.identity.selectors import (
    active_authorizations,
)
from tongban.identity.services._shared import _USERNAME_RE, looks_personal
from tongban.identity.services.legal_registry import legal_entity_registry_confirm
from tongban.identity.services.persons import person_register, validate_person_name, validate_phone

# --- accounts ------------------------------------------------------------------


def _validate_username(username: str) -> str:
    username = (username or "").strip()
    if not _USERNAME_RE.match(username):
        raise DomainError(
            errors.INVALID_USERNAME,
            "用户名须为 3 到 150 位字母、数字或 _ . @ -，并以字母或数字开头",
        )
    if looks_personal(username):
        # A username is shown and logged; a phone or ID number is personal data.
        raise DomainError(errors.INVALID_USERNAME, "用户名不能使用手机号码或公民身份号码")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(errors.USERNAME_TAKEN, f"用户名 {username} 已被使用")
    return username


# Letters and digits that are not mistaken for one another (no 0/o, 1/l/i).
_GENERATED_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def generated_username() -> str:
    """A free username like ``tb7kq2mx9a`` for a citizen who chose none."""
    for _ in range(10):
        candidate = "tb" + "".join(secrets.choice(_GENERATED_ALPHABET) for _ in range(8))
        if not User.objects.filter(username__iexact=candidate).exists():
            return candidate
    raise RuntimeError("no free generated username after 10 tries")  # 31^8 names: never


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


def _create_user(
    *,
    user: User,
    password: str | None,
    now: dt.datetime,
    actor: User | None,
    password_checked: bool = False,
) -> User:
    if password is None:
        user.set_unusable_password()
    else:
        if not password_checked:
            _check_password(password, user)
        user.set_password(password)
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            audit_record(
                actor=actor_label(actor),
                action="identity.account_created",
                object_type="identity.User",
                object_id=str(user.pk),
                # No username, phone or name: the chain keeps what it is given for ever.
                details={"kind": user.kind},
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
    """A citizen account at 实名 level L1 after the ID/name check, for trusted
    callers (the demo loader, window staff, tests).

    The public sign-up is :func:`~tongban.identity.services.signup.citizen_signup_verified`:
    it proves the phone with a one-time code first and answers every refusal
    of the identity check alike. The username is the one given (never a phone
    or ID number) or a generated one. One citizen account per person. Checks
    that reveal nothing about the person (username, password) come before the
    identity check.
    """
    now = now or clock.now()
    phone = validate_phone(phone)
    username = _validate_username(username) if username else generated_username()
    user = User(username=username, kind=AccountKind.CITIZEN, real_name_level=RealNameLevel.L1)
    _check_password(password, user)
    with transaction.atomic():
        person = person_register(name=name, id_number=id_number, phone=phone, now=now)
        if User.objects.filter(person=person, kind=AccountKind.CITIZEN).exists():
            raise DomainError(
                errors.ID_NUMBER_REGISTERED,
                "该公民身份号码已注册个人账号，请直接登录或找回密码",
            )
        user.person = person
        user.display_name = mask_name(person.name)
        return _create_user(
            user=user, password=password, now=now, actor=None, password_checked=True
        )


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
    """A 法人用户 account operated by ``person`` and authorized for ``legal_entity``.

    The 法人库 check of :func:`authorization_grant` runs first, outside the
    transaction, so a refusal is audited and no account is left behind."""
    now = now or clock.now()
    username = _validate_username(username)
    _platform_checks(
        person_id=person.pk, legal_entity=legal_entity, role=role, granted_by=granted_by, now=now
    )
    _registry_confirm(
        legal_entity=legal_entity,
        role=role,
        person=person,
        account=None,
        granted_by=granted_by,
        now=now,
    )
    with transaction.atomic():
        user = User(
            username=username,
            kind=AccountKind.BUSINESS,
            display_name=f"{legal_entity.name}（{mask_name(person.name)}）",
            person=person,
            real_name_level=RealNameLevel.L1,
        )
        _create_user(user=user, password=password, now=now, actor=granted_by)
        _grant(
            user=user,
            legal_entity=legal_entity,
            role=role,
            granted_by=granted_by,
            valid_until=valid_until,
            item_codes=None,
            now=now,
            registry_checked=True,
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


def _platform_checks(
    *,
    person_id: int | None,
    legal_entity: LegalEntity,
    role: AuthorizationRole,
    granted_by: User | None,
    now: dt.datetime,
) -> None:
    if (
        role == AuthorizationRole.LEGAL_REPRESENTATIVE
        and person_id != legal_entity.legal_representative_id
    ):
        raise DomainError(
            errors.NOT_LEGAL_REPRESENTATIVE, "该账号的实名人员不是此法人登记的法定代表人"
        )
    if not _may_grant(granted_by, legal_entity, now):
        raise DomainError(errors.AUTHORIZATION_FORBIDDEN, "只有法定代表人可以为本单位授权经办人")


def _registry_confirm(
    *,
    legal_entity: LegalEntity,
    role: AuthorizationRole,
    person: Person | None,
    account: User | None,
    granted_by: User | None,
    now: dt.datetime,
) -> None:
    """The 法人库 check of a grant: the entity registered and 存续; as 法定代表人,
    the account's person is the registered one; an agent granted by a business
    account, that account's person is (a former representative may not grant)."""
    if role == AuthorizationRole.LEGAL_REPRESENTATIVE:
        legal_entity_registry_confirm(
            credit_code=legal_entity.credit_code,
            representative=person,
            account=account,
            actor=granted_by,
            now=now,
        )
        return
    granter = (
        granted_by.person
        if granted_by is not None
        and granted_by.kind == AccountKind.BUSINESS
        and granted_by.person_id is not None
        else None
    )
    legal_entity_registry_confirm(
        credit_code=legal_entity.credit_code,
        representative=granter,
        account=account,
        actor=granted_by,
        now=now,
        representative_message="法人库登记的法定代表人已不是授权人本人，不能授权经办人；"
        "请由现登记的法定代表人办理。",
    )


def authorization_grant(
    *,
    user: User,
    legal_entity: LegalEntity,
    role: AuthorizationRole,
    granted_by: User | None = None,
    valid_until: dt.datetime | None = None,
    item_codes: list[str] | None = None,
    now: dt.datetime | None = None,
) -> BusinessAuthorization:
    """Let a business account act for a legal entity.

    法定代表人: only the account of the entity's registered legal representative.
    经办人: granted by the legal representative's account (or by staff / the system),
    for every item, or only for the items whose 实施编码 are in ``item_codes``.
    Either way the 法人库 must register the entity as 存续 with that legal
    representative (``legal_entity_registry_mismatch``, ``legal_entity_not_in_business``).
    """
    return _grant(
        user=user,
        legal_entity=legal_entity,
        role=role,
        granted_by=granted_by,
        valid_until=valid_until,
        item_codes=item_codes,
        now=now or clock.now(),
        registry_checked=False,
    )


def _grant(
    *,
    user: User,
    legal_entity: LegalEntity,
    role: AuthorizationRole,
    granted_by: User | None,
    valid_until: dt.datetime | None,
    item_codes: list[str] | None,
    now: dt.datetime,
    registry_checked: bool,
) -> BusinessAuthorization:
    codes = _item_codes(item_codes)
    if codes and role != AuthorizationRole.AGENT:
        raise DomainError(core_errors.VALIDATION_FAILED, "只有经办人的授权可以限定事项")
    if user.kind != AccountKind.BUSINESS:
        raise DomainError(core_errors.VALIDATION_FAILED, "只能为法人用户账号授权")
    if valid_until is not None and valid_until <= now:
        raise DomainError(core_errors.VALIDATION_FAILED, "授权有效期须晚于当前时间")
    _platform_checks(
        person_id=user.person_id,
        legal_entity=legal_entity,
        role=role,
        granted_by=granted_by,
        now=now,
    )
    if not registry_checked:
        _registry_confirm(
            legal_entity=legal_entity,
            role=role,
            person=user.person if user.person_id else None,
            account=user,
            granted_by=granted_by,
            now=now,
        )
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
                    item_codes=codes,
                )
        except IntegrityError:
            raise DomainError(
                errors.AUTHORIZATION_EXISTS, "该账号已有此法人的有效授权，如需变更请先撤销"
            ) from None
        audit_record(
            actor=actor_label(granted_by),
            action="identity.authorization_granted",
            object_type="identity.BusinessAuthorization",
            object_id=str(authorization.pk),
            details={
                "user": user.pk,
                "credit_code": legal_entity.credit_code,
                "role": role,
                "valid_until": valid_until,
                "item_codes": codes,
            },
            now=now,
        )
    return authorization


MAX_ITEM_CODES = 50


def _item_codes(codes: list[str] | None) -> list[str]:
    """Trimmed, upper-cased, without repeats, in the given order."""
    seen: list[str] = []
    for raw in codes or []:
        code = "".join(str(raw).split()).upper()[:31]
        if code and code not in seen:
            seen.append(code)
    if len(seen) > MAX_ITEM_CODES:
        raise DomainError(
            core_errors.VALIDATION_FAILED, f"限办事项最多 {MAX_ITEM_CODES} 项，不限请留空"
        )
    return seen


def authorization_check_item(
    *,
    user: User,
    legal_entity: LegalEntity,
    implementation_code: str,
    now: dt.datetime | None = None,
) -> None:
    """Refuse (and audit) an agent acting for ``legal_entity`` on an item its
    authorization does not name. Called before a case is submitted."""
    now = now or clock.now()
    authorization = (
        active_authorizations(now=now).filter(user=user, legal_entity=legal_entity).first()
    )
    if authorization is None:
        raise DomainError(errors.AUTHORIZATION_FORBIDDEN, "当前账号未获该法人授权。")
    codes = authorization.item_codes or []
    if not codes or implementation_code in codes:
        return
    audit_record(
        actor=actor_label(user),
        action="identity.authorization.item_refused",
        object_type="identity.BusinessAuthorization",
        object_id=str(authorization.pk),
        details={"implementation_code": implementation_code[:31]},
        now=now,
    )
    raise DomainError(
        errors.AUTHORIZATION_ITEM_FORBIDDEN,
        "您作为经办人的授权不包括该事项，请联系本单位法定代表人在企业空间调整授权。",
    )


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
            actor=actor_label(revoked_by),
            action="identity.authorization_revoked",
            object_type="identity.BusinessAuthorization",
            object_id=str(locked.pk),
            details={"user": locked.user_id, "legal_entity": locked.legal_entity_id},
            now=now,
        )
    return locked
