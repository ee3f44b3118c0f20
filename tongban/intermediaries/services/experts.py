"""The evaluation expert pool (评标专家库): add, edit, deactivate, record co-work.

Only the centre's staff of the expert's region keep the pool (the staff scope is
checked here, so no caller can write outside it). The phone is stored encrypted
with a masked copy for lists and a keyed token that refuses a second expert with
the same phone (one person, one entry). What 回避 needs is kept on the expert:
the employer's 统一社会信用代码 and recent co-work with an entity
(``ExpertCoWork``), both read by ``evaluation._excluded_experts`` at the draw.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from tongban.core import clock, crypto
from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_credit_code, validate_mobile_phone
from tongban.core.masking import mask_phone
from tongban.intermediaries import errors
from tongban.intermediaries.models import Expert, ExpertCoWork
from tongban.intermediaries.selectors import CENTRE_ROLES, expert_get_in_scope
from tongban.intermediaries.services._common import logger
from tongban.org.models import Region
from tongban.org.selectors import ScopeGrant, StaffScope

PHONE_CONTEXT = "intermediaries.expert.phone"


@dataclass(frozen=True)
class ExpertInput:
    name: str
    employer_name: str
    employer_code: str
    specialty: str
    region_code: str
    phone: str


def _invalid(detail: str, field: str) -> DomainError:
    return DomainError(errors.EXPERT_INVALID, detail, fields=[{"field": field, "code": "invalid"}])


def _text(value: str, *, field: str, label: str, max_length: int) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise _invalid(f"请填写{label}。", field)
    if len(text) > max_length:
        raise _invalid(f"{label}不能超过 {max_length} 字。", field)
    return text


def _region_in_scope(scope: StaffScope, region_code: str) -> Region:
    region = Region.objects.filter(code=(region_code or "").strip()).first()
    if region is None:
        raise _invalid("请选择专家所在地区。", "region_code")
    paths = scope.for_roles(*CENTRE_ROLES).region_paths
    if not any(region.path.startswith(p) for p in paths):
        raise DomainError(
            errors.EXPERT_INVALID,
            "只能管理本地区的评标专家。",
            fields=[{"field": "region_code", "code": "out_of_scope"}],
        )
    return region


def _clean(given: ExpertInput, scope: StaffScope, keep_phone: bool = False) -> dict[str, Any]:
    name = _text(given.name, field="name", label="姓名", max_length=50)
    employer = _text(given.employer_name, field="employer_name", label="工作单位", max_length=200)
    try:
        employer_code = validate_credit_code(given.employer_code)
    except DomainError as exc:
        raise _invalid(f"工作单位的{exc.detail}", "employer_code") from None
    specialty = _text(given.specialty, field="specialty", label="评标专业", max_length=60)
    region = _region_in_scope(scope, given.region_code)
    fields: dict[str, Any] = {
        "name": name,
        "employer_name": employer,
        "employer_code": employer_code,
        "specialty": specialty,
        "region": region,
        "region_path": region.path,
    }
    if keep_phone and not (given.phone or "").strip():
        return fields  # an edit that leaves the phone as it is
    try:
        phone = validate_mobile_phone(given.phone)
    except DomainError as exc:
        raise _invalid(exc.detail, "phone") from None
    fields["phone_enc"] = crypto.encrypt(phone, context=PHONE_CONTEXT)
    fields["phone_masked"] = mask_phone(phone)
    fields["phone_token"] = crypto.search_token(phone, context=PHONE_CONTEXT)
    return fields


def _duplicate(phone_token: str, exclude: int | None = None) -> DomainError | None:
    others = Expert.objects.filter(phone_token=phone_token)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    other = others.first()
    if other is None:
        return None
    return DomainError(
        errors.EXPERT_DUPLICATE,
        f"手机号码与专家库中的{other.code}相同，同一专家只能入库一次。",
        fields=[{"field": "phone", "code": "duplicate"}],
    )


def _audit(expert: Expert, action: str, actor: Any, now: dt.datetime, **details: Any) -> None:
    audit_record(
        actor=actor_label(actor),
        action=f"trading.{action}",
        object_type="trading.expert",
        object_id=expert.code,
        details=details,
        now=now,
    )


def expert_add(
    *, given: ExpertInput, scope: StaffScope, actor: Any = None, now: dt.datetime | None = None
) -> Expert:
    """Add an expert to the pool of the staff member's region (active at once)."""
    now = now or clock.now()
    fields = _clean(given, scope)
    refusal = _duplicate(fields["phone_token"])
    if refusal is not None:
        logger.warning("trading refusal expert_duplicate actor=%s", actor_label(actor))
        raise refusal
    region_code = fields["region"].code
    for _attempt in range(5):
        code = f"E{region_code}{secrets.randbelow(10**6):06d}"
        try:
            with transaction.atomic():
                expert = Expert.objects.create(code=code, active=True, **fields)
                _audit(expert, "expert_add", actor, now, region=region_code)
            return expert
        except IntegrityError:
            refusal = _duplicate(fields["phone_token"])
            if refusal is not None:  # the same expert added at the same moment
                raise refusal from None
    raise DomainError(errors.EXPERT_INVALID, "专家编号生成失败，请重试。")


def expert_update(
    *,
    expert: Expert,
    given: ExpertInput,
    scope: StaffScope,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> Expert:
    """Edit an expert of the staff member's region (the code and the record stay); an
    empty phone keeps the one on record."""
    now = now or clock.now()
    fields = _clean(given, scope, keep_phone=True)
    token = fields.get("phone_token", "")
    try:
        with transaction.atomic():
            locked = Expert.objects.select_for_update().get(
                pk=expert_get_in_scope(scope=scope, code=expert.code).pk
            )
            refusal = _duplicate(token, exclude=locked.pk) if token else None
            if refusal is not None:
                raise refusal
            changed = sorted(
                k for k, v in fields.items() if getattr(locked, k) != v and k != "phone_enc"
            )
            for key, value in fields.items():
                setattr(locked, key, value)
            locked.save(update_fields=list(fields))
            _audit(locked, "expert_update", actor, now, changed=changed)
    except IntegrityError:
        raise _duplicate(token, exclude=expert.pk) or DomainError(
            errors.EXPERT_DUPLICATE, "该专家已在专家库中。"
        ) from None
    return locked


def expert_set_active(
    *,
    expert: Expert,
    active: bool,
    scope: StaffScope,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> Expert:
    """Take an expert out of the pool (出库, no longer drawn) or back in; idempotent.
    Seats already held on a committee are kept."""
    now = now or clock.now()
    with transaction.atomic():
        locked = Expert.objects.select_for_update().get(
            pk=expert_get_in_scope(scope=scope, code=expert.code).pk
        )
        if locked.active != active:
            locked.active = active
            locked.save(update_fields=["active"])
            _audit(locked, "expert_activate" if active else "expert_deactivate", actor, now)
    return locked


def expert_co_work_add(
    *,
    expert: Expert,
    entity_code: str,
    until: dt.date,
    scope: StaffScope,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> ExpertCoWork:
    """Record recent co-work of an expert with an entity (回避 for three years after)."""
    now = now or clock.now()
    try:
        code = validate_credit_code(entity_code)
    except DomainError as exc:
        raise _invalid(f"合作单位的{exc.detail}", "entity_code") from None
    today = clock.local_date(now)
    if until > today + dt.timedelta(days=365 * 5):
        raise _invalid("合作截止日期不能晚于今后 5 年。", "until")
    with transaction.atomic():
        locked = Expert.objects.select_for_update().get(
            pk=expert_get_in_scope(scope=scope, code=expert.code).pk
        )
        row = ExpertCoWork.objects.filter(expert=locked, entity_code=code).first()
        if row is None:
            row = ExpertCoWork.objects.create(expert=locked, entity_code=code, until=until)
        elif row.until < until:
            row.until = until
            row.save(update_fields=["until"])
        _audit(locked, "expert_co_work_add", actor, now, entity=code, until=until.isoformat())
    return row


def expert_seed(*, code: str, given: ExpertInput, user: Any = None) -> Expert:
    """An expert of a trusted loader (the demo): the same checks and storage as
    :func:`expert_add` without a staff scope; an existing ``code`` is answered as is."""
    existing = Expert.objects.filter(code=code).first()
    if existing is not None:
        return existing
    region = Region.objects.filter(code=given.region_code).first()
    if region is None:
        raise _invalid("请选择专家所在地区。", "region_code")
    grant = ScopeGrant(role=CENTRE_ROLES[0], region_path=region.path, department_ids=None)
    fields = _clean(given, StaffScope(roles=frozenset({grant.role}), grants=(grant,)))
    refusal = _duplicate(fields["phone_token"])
    if refusal is not None:
        raise refusal
    return Expert.objects.create(code=code, active=True, user=user, **fields)
