"""Writes of policy push: the library, matching and pushing, opting in to SMS.

Matching (:func:`policy_match_run`) selects the businesses in SQL
(``rules.candidates_q``), walks them in key order a chunk at a time, and for
each new match writes the reasons it matched (``rules.explain``), so a
business sees why; a 免申即享 policy is granted on the match itself with its
basis recorded. Running a policy again adds only businesses not matched
before (one match per policy and business), so it may run on every change of
the 法人库 or on a schedule. Businesses that opted in are also told by SMS
(and so in their 消息中心).

A 免申即享 grant is also a case (办件): a new grant emits ``policy.granted``
in the match's transaction, and ``cases`` (above this app) records the case
under the policy's item, decided at once, once per policy and business
(``cases.services.policy_grants``). Such a policy must name an active item
before it is published (``policy_item_required``).

The grant itself (the match's ``granted_at`` and basis) is recorded for every
business that qualifies, with an account or not. A case needs its applicant
(``identity.LegalEntity``), which the platform has only once the business is
known to it (an account bound, a walk-in application …): a grant to a business
not yet known gets its case when the entity is registered (identity's
``legal_entity.registered``), and every matching run of a 免申即享 policy ends
with ``policy.matched`` so that ``cases`` revisits its grants without a case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tongban.catalog.models import ServiceItem
from tongban.core import clock, events
from tongban.core.audit import actor_label, audit_record
from tongban.core.crypto import decrypt
from tongban.core.errors import DomainError
from tongban.core.notifications import notification_send
from tongban.identity.models import LegalEntity
from tongban.identity.selectors import PHONE_CONTEXT
from tongban.policies import errors, rules
from tongban.policies.models import Policy, PolicyMatch, PolicyOptIn
from tongban.sharing.models import BusinessRecord

CHUNK = 2000
# Emitted for new 免申即享 grants of businesses with an account (LegalEntity):
# {"policy_id": …, "credit_codes": [...]}; cases records each as a case.
GRANTED_EVENT = "policy.granted"
# Emitted at the end of a matching run that concerned 免申即享 policies:
# {"policy_ids": [...]}; cases records the grants of them still without a case.
MATCHED_EVENT = "policy.matched"


def policy_create(
    *,
    title: str,
    issuer: str,
    document_no: str,
    valid_from: dt.date,
    benefits: str,
    rules_raw: Any,
    valid_until: dt.date | None = None,
    automatic: bool = False,
    service_item: ServiceItem | None = None,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> Policy:
    """A policy in the library (unpublished); its rules are checked and normalized.
    ``service_item``: the item a 免申即享 grant is recorded under (required to publish one)."""
    moment = now or clock.now()
    parsed = rules.parse(rules_raw)
    if not title.strip() or not issuer.strip() or not document_no.strip():
        raise DomainError(errors.POLICY_RULES_INVALID, "政策名称、发文机关和文号不能为空")
    if valid_until is not None and valid_until < valid_from:
        raise DomainError(errors.POLICY_RULES_INVALID, "失效日期不能早于生效日期")
    stored = {k: v for k, v in vars(parsed).items() if v not in ((), None)}
    stored = {k: list(v) if isinstance(v, tuple) else v for k, v in stored.items()}
    with transaction.atomic():
        policy = Policy.objects.create(
            title=title.strip()[:200],
            issuer=issuer.strip()[:100],
            document_no=document_no.strip()[:60],
            valid_from=valid_from,
            valid_until=valid_until,
            benefits=benefits.strip(),
            rules=stored,
            automatic=automatic,
            service_item=service_item,
            created_at=moment,
        )
        audit_record(
            actor=actor_label(actor),
            action="policies.policy_created",
            object_type="policies.Policy",
            object_id=str(policy.pk),
            details={
                "document_no": policy.document_no,
                "rules": stored,
                "automatic": automatic,
                "service_item": service_item.pk if service_item else None,
            },
            now=moment,
        )
    return policy


def policy_publish(*, policy: Policy, actor: Any = None, now: dt.datetime | None = None) -> Policy:
    moment = now or clock.now()
    with transaction.atomic():
        locked = Policy.objects.select_for_update().get(pk=policy.pk)
        if not locked.published and locked.automatic:
            _check_grant_item(locked)
        if not locked.published:
            locked.published = True
            locked.save(update_fields=["published"])
            audit_record(
                actor=actor_label(actor),
                action="policies.policy_published",
                object_type="policies.Policy",
                object_id=str(locked.pk),
                details={"document_no": locked.document_no},
                now=moment,
            )
    return locked


def _check_grant_item(policy: Policy) -> None:
    """A 免申即享 policy is granted as a case of its item: no item, or one that
    cannot be handled now, is refused at publication."""
    item = (
        ServiceItem.objects.filter(pk=policy.service_item_id)
        .only("status", "current_version")
        .first()
        if policy.service_item_id
        else None
    )
    if item is None:
        raise DomainError(
            errors.POLICY_ITEM_REQUIRED,
            "免申即享政策须关联兑现事项：平台按该事项为企业记录办件并直接作出准予决定。",
        )
    if item.status != "active" or item.current_version_id is None:
        raise DomainError(
            errors.POLICY_ITEM_REQUIRED,
            "免申即享政策关联的事项未发布或已取消，请关联可办理的事项后再发布。",
        )


def grants_emit(
    policy: Policy,
    codes: list[str],
    moment: dt.datetime,
    *,
    with_account: list[str] | None = None,
) -> None:
    """Have ``cases`` record the new grants of ``policy`` to ``codes`` as cases
    (businesses with an account only: a case needs its applicant).
    ``with_account``: which of ``codes`` have one, when the caller read it."""
    if not policy.automatic or not codes:
        return
    if with_account is None:
        with_account = list(
            LegalEntity.objects.filter(credit_code__in=codes).values_list("credit_code", flat=True)
        )
    with_account = sorted(with_account)
    if with_account:
        events.emit(
            GRANTED_EVENT, {"policy_id": policy.pk, "credit_codes": with_account}, now=moment
        )


def matched_emit(policy_ids: list[int], moment: dt.datetime) -> None:
    """Have ``cases`` revisit the grants of these 免申即享 policies that have no
    case yet (a business that got its account after the grant)."""
    if policy_ids:
        with transaction.atomic():
            events.emit(MATCHED_EVENT, {"policy_ids": sorted(set(policy_ids))}, now=moment)


def grant_reason(policy: Policy) -> str:
    """The basis of a 免申即享 grant, recorded on the match."""
    return (
        f"免申即享：依据《{policy.title}》（{policy.document_no}），"
        "法人库数据表明符合全部适用条件，无需申请，直接兑现。"
    )


def policy_match_run(*, policy: Policy, now: dt.datetime | None = None) -> int:
    """Match a published, current policy against the 法人库; how many businesses
    were newly matched (and pushed)."""
    moment = now or clock.now()
    today = clock.local_date(moment)
    policy = Policy.objects.get(pk=policy.pk)  # as stored: published or not
    if (
        not policy.published
        or policy.valid_from > today
        or (policy.valid_until is not None and policy.valid_until < today)
    ):
        raise DomainError(errors.POLICY_NOT_PUBLISHED, "只有已发布且在有效期内的政策可以匹配推送。")
    parsed = rules.parse(policy.rules)
    candidates = (
        BusinessRecord.objects.filter(rules.candidates_q(parsed, today))
        .select_related("classification")
        .order_by("pk")
    )
    created = 0
    last = 0
    while True:
        chunk = list(candidates.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            if policy.automatic:
                matched_emit([policy.pk], moment)
            return created
        last = chunk[-1].pk
        created += _match_chunk(policy, parsed, chunk, today, moment)


def _match_chunk(
    policy: Policy,
    parsed: rules.Rules,
    chunk: list[BusinessRecord],
    today: dt.date,
    moment: dt.datetime,
) -> int:
    codes = [r.credit_code for r in chunk]
    with transaction.atomic():
        seen = set(
            PolicyMatch.objects.filter(policy=policy, credit_code__in=codes).values_list(
                "credit_code", flat=True
            )
        )
        new: list[PolicyMatch] = []
        for record in chunk:
            reasons = (
                rules.explain(parsed, record, today) if record.credit_code not in seen else None
            )
            if reasons is None:
                continue
            new.append(
                PolicyMatch(
                    policy=policy,
                    credit_code=record.credit_code,
                    business_name=record.name[:200],
                    reasons=reasons,
                    matched_at=moment,
                    granted_at=moment if policy.automatic else None,
                    grant_reason=grant_reason(policy) if policy.automatic else "",
                )
            )
        PolicyMatch.objects.bulk_create(new, ignore_conflicts=True)
        _push_sms(policy, [m.credit_code for m in new], moment)
        grants_emit(policy, [m.credit_code for m in new], moment)
    return len(new)


def _push_sms(policy: Policy, codes: list[str], moment: dt.datetime) -> None:
    """Tell the businesses that opted in, at their legal representative's phone."""
    if not codes:
        return
    entities = LegalEntity.objects.filter(
        credit_code__in=codes, policy_opt_in__sms=True
    ).select_related("legal_representative")
    for entity in entities:
        policy_sms_send(policy, entity, moment)


def policy_sms_send(policy: Policy, entity: LegalEntity, moment: dt.datetime) -> None:
    """The SMS of one matched policy to a business that opted in (and so its 消息中心)."""
    phone_enc = entity.legal_representative.phone_enc
    if not phone_enc:
        return
    verb = "已为您直接兑现（免申即享）" if policy.automatic else "可申请享受"
    notification_send(
        channel="sms",
        recipient=decrypt(phone_enc, context=PHONE_CONTEXT),
        subject=f"惠企政策：{policy.title}"[:200],
        body=f"【通办】{entity.name}符合《{policy.title}》（{policy.document_no}），{verb}。"
        "匹配理由请到企业空间查看。",
        purpose="policy.match",
        object_type="policies.Policy",
        object_id=f"{policy.pk}/{entity.credit_code}",
        now=moment,
    )


def policy_opt_in_set(
    *, legal_entity: LegalEntity, sms: bool, actor: Any = None, now: dt.datetime | None = None
) -> PolicyOptIn:
    """Whether the business is told of matched policies by SMS as well as in its space."""
    moment = now or clock.now()
    with transaction.atomic():
        opt_in, _ = PolicyOptIn.objects.update_or_create(
            legal_entity=legal_entity, defaults={"sms": sms, "updated_at": moment}
        )
        audit_record(
            actor=actor_label(actor),
            action="policies.opt_in_set",
            object_type="identity.LegalEntity",
            object_id=str(legal_entity.pk),
            details={"sms": sms},
            now=moment,
        )
    return opt_in


def business_classification_put(
    *,
    credit_code: str,
    industry_code: str,
    size_class: str,
    credit_class: str,
    now: dt.datetime | None = None,
) -> Any:
    """Record a business's industry, size and credit class (from the statistics
    and tax authorities' feeds) beside its 法人库 record."""
    from tongban.core import errors as core_errors
    from tongban.policies.models import BusinessClassification, CreditClass, SizeClass

    record = BusinessRecord.objects.filter(credit_code=(credit_code or "").strip().upper()).first()
    if record is None:
        raise DomainError(core_errors.NOT_FOUND, "法人库中没有该统一社会信用代码。")
    code = (industry_code or "").strip().upper()
    if not rules.INDUSTRY.match(code) or len(code) != 5:
        raise DomainError(
            errors.POLICY_RULES_INVALID, f"行业代码 {code!r} 应为 GB/T 4754 小类（如 H6210）"
        )
    if size_class not in SizeClass.values or credit_class not in CreditClass.values:
        raise DomainError(errors.POLICY_RULES_INVALID, "企业规模或纳税信用等级无效")
    classification, _ = BusinessClassification.objects.update_or_create(
        business=record,
        defaults={
            "industry_code": code,
            "size_class": size_class,
            "credit_class": credit_class,
            "updated_at": now or clock.now(),
        },
    )
    return classification
