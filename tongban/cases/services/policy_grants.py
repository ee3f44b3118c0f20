"""免申即享 as cases (issue 14, item 4): a policy granted to a business on the
法人库's data alone is recorded as a case (办件) of the policy's item, opened
by the platform on the business's behalf and decided (准予) at once, with the
policy as the reason and the rules that matched in its history.

``policies`` (below this app) emits ``policy.granted`` in the transaction that
writes new grants; :func:`on_policy_granted` records a case for each business
named, in a transaction of its own. Exactly once per policy and business: the
match row is locked while its case is recorded, and ``PolicyGrant`` is unique
per match, so matching again, a repeated delivery of the event, or two runs at
once never record a second case.

A case's applicant is the legal entity (``identity.LegalEntity``), which the
platform holds only once the business is known to it: an account bound to
it, an application at a window. A grant to a business not yet known stands
(the match records it, with its basis) and gets its case later, when
identity emits ``legal_entity.registered`` (:func:`on_legal_entity_registered`)
or when a matching run of the policy ends (``policy.matched``,
:func:`on_policy_matched`): :func:`policy_grants_catch_up` records the case of
every grant whose business is now known and that has none. Such a case is
received and decided when both the grant and its applicant exist (the
entity's registration), so its deadlines do not start before anyone could act.
Creating the entity from the 法人库 at grant time was not chosen: a
``LegalEntity`` names its 法定代表人 as a platform person, which the 法人库
(a reference to the 自然人库) does not give without enrolling someone who
never came to the platform.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery

from tongban.cases.models import Case, CaseEvent, CaseStatus, Channel, Outcome, PolicyGrant
from tongban.cases.services._common import deadline_change_events, derive_deadlines, history_event
from tongban.cases.services.intake import new_tracking_code, next_case_no
from tongban.cases.services.intake_checks import published_guide, rules_snapshot
from tongban.cases.services.results import result_certificate_issue
from tongban.core import clock, events
from tongban.core.audit import audit_record
from tongban.identity.models import LegalEntity
from tongban.policies.models import Policy, PolicyMatch

logger = logging.getLogger(__name__)

ACTOR = "system:免申即享"
ACTION = "grant_by_policy"


def on_policy_granted(*, event_id: uuid.UUID, payload: dict[str, Any]) -> None:
    """Outbox handler of ``policy.granted``: a case for each business named."""
    for code in payload.get("credit_codes", []):
        case_record_policy_grant(policy_id=int(payload["policy_id"]), credit_code=str(code))


def on_policy_matched(*, event_id: uuid.UUID, payload: dict[str, Any]) -> None:
    """Outbox handler of ``policy.matched``: the grants of these policies still without a case."""
    policy_grants_catch_up(policy_ids=[int(p) for p in payload.get("policy_ids", [])])


def on_legal_entity_registered(*, event_id: uuid.UUID, payload: dict[str, Any]) -> None:
    """Outbox handler of ``legal_entity.registered``: the grants made to it before."""
    policy_grants_catch_up(credit_codes=[str(payload["credit_code"])])


def policy_grants_catch_up(
    *, policy_ids: list[int] | None = None, credit_codes: list[str] | None = None
) -> int:
    """Record the case of every 免申即享 grant (of ``policy_ids``, to
    ``credit_codes``) whose business is known to the platform and that has no
    case; how many were recorded. Exactly once, as :func:`case_record_policy_grant`."""
    missing = PolicyMatch.objects.filter(
        Exists(LegalEntity.objects.filter(credit_code=OuterRef("credit_code"))),
        ~Exists(PolicyGrant.objects.filter(match_id=OuterRef("pk"))),
        granted_at__isnull=False,
    )
    if policy_ids is not None:
        missing = missing.filter(policy_id__in=policy_ids)
    if credit_codes is not None:
        missing = missing.filter(credit_code__in=credit_codes)
    known_at = LegalEntity.objects.filter(credit_code=OuterRef("credit_code")).values("created_at")
    rows = list(
        missing.annotate(known_at=Subquery(known_at[:1]))
        .order_by("pk")
        .values_list("policy_id", "credit_code", "granted_at", "known_at")
    )
    recorded = 0
    for policy_id, code, granted_at, known in rows:
        # Received when both the grant and its applicant exist.
        moment = max(granted_at, known) if known is not None else granted_at
        if case_record_policy_grant(policy_id=policy_id, credit_code=code, now=moment):
            recorded += 1
    return recorded


def case_record_policy_grant(
    *, policy_id: int, credit_code: str, now: dt.datetime | None = None
) -> Case | None:
    """The case of one 免申即享 grant, recorded if it is not already; ``None``
    when there is nothing to record (no grant, no account for the business, or
    an item that can no longer be handled: logged, the grant itself stands).
    The case is received and decided at the moment of the grant (``now``
    overrides it), however late the event is delivered."""
    with transaction.atomic():
        match = (
            PolicyMatch.objects.select_for_update(of=("self",))
            .select_related("policy__service_item__current_version")
            .filter(policy_id=policy_id, credit_code=credit_code, granted_at__isnull=False)
            .first()
        )
        if match is None:
            return None
        done = PolicyGrant.objects.filter(match=match).select_related("case").first()
        if done is not None:
            return done.case
        moment = now or match.granted_at or clock.now()
        entity = LegalEntity.objects.filter(credit_code=credit_code).first()
        item = match.policy.service_item
        version = item.current_version if item is not None else None
        if entity is None or item is None or version is None or item.status != "active":
            logger.warning(
                "免申即享 case not recorded: policy %s, business %s (account %s, item %s)",
                policy_id,
                credit_code,
                entity is not None,
                item.pk if item is not None else None,
            )
            return None
        case = _write_case(match, match.policy, entity, item, version, moment)
        PolicyGrant.objects.create(match=match, case=case, created_at=moment)
    return case


def _write_case(
    match: PolicyMatch,
    policy: Policy,
    entity: LegalEntity,
    item: Any,
    version: Any,
    moment: dt.datetime,
) -> Case:
    guide = published_guide(version.pk, version.revision, version.content)
    today = clock.local_date(moment)
    reasons = list(match.reasons or [])
    case = Case(
        case_no=next_case_no(region_code=item.region_id, day=today),
        tracking_code=new_tracking_code(),
        service_item=item,
        guide_version=version,
        rules=rules_snapshot(guide, item),
        department_id=item.department_id,
        region_path=item.region_path,
        applicant_entity=entity,
        applicant_name=entity.name,
        channel=Channel.API,
        form_data={},
        status=CaseStatus.DECIDED,
        received_at=moment,
        received_on=today,
        accepted_on=today,
        decided_on=today,
        outcome=Outcome.GRANTED,
        decision_reason=(
            f"{match.grant_reason}符合的条件：{'；'.join(reasons)}。"
            if reasons
            else match.grant_reason
        )[:2000],
        decision_basis=f"《{policy.title}》（{policy.document_no}），{policy.issuer}"[:2000],
        created_at=moment,
        updated_at=moment,
    )
    changes = derive_deadlines(case, now=moment, suspensions=())
    case.save(force_insert=True)
    details: dict[str, Any] = {
        "policy_id": policy.pk,
        "document_no": policy.document_no,
        "rules": policy.rules,
        "reasons": reasons,
        "matched_at": match.matched_at.isoformat(),
        "granted_at": (match.granted_at or moment).isoformat(),
    }
    details.update(result_certificate_issue(case, actor=None, now=moment))
    CaseEvent.objects.bulk_create(
        [
            history_event(
                case,
                action=ACTION,
                actor=None,
                now=moment,
                to=CaseStatus.DECIDED,
                reason=match.grant_reason,
                details=details,
            ),
            *deadline_change_events(case, changes, actor=None, now=moment, reason="免申即享"),
        ]
    )
    # 准予许可决定书, as for any grant; its text carries the decision's reason.
    from tongban.cases.notices import documents_issue_for_transition

    documents_issue_for_transition(case=case, action="decide", now=moment, locked=True)
    events.emit(
        f"case.{ACTION}",
        {"case_no": case.case_no, "from": "", "to": CaseStatus.DECIDED, "version": case.version},
        now=moment,
    )
    audit_record(
        actor=ACTOR,
        action=f"case.{ACTION}",
        object_type="case",
        object_id=case.case_no,
        details={"policy_id": policy.pk, "credit_code": entity.credit_code},
        now=moment,
    )
    return case
