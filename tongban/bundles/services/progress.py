"""A bundle moves on with its member cases (R-BD-2: 后台分发流转).

``application_sync`` brings one application in step with its members' cases,
idempotently (events may come twice, late or not at all; the scheduler's
sweep calls it too):

1. a running member whose case was decided granted (or handled on the spot,
   or granted on commitment) has its **result**; refused (不予受理), denied
   (不予许可) or withdrawn, it is **closed** with the reason;
2. a waiting member whose prerequisite is closed is **stopped**, with the
   prerequisite and its reason; the applicant is told once which members
   stopped and why, and the others go on;
3. a waiting member whose prerequisites all have results is **filed** with its
   department (``members.member_case_start``); the member that establishes the
   business gives it its 统一社会信用代码 first (企业开办);
4. when no member is open any more the application is **ready** for the one
   combined result (窗口统一出件), or **stopped** if no member has a result;
5. supplement requests of the members are assembled into one notice
   (``supplements.supplement_notice_assemble``).

Each step is dated by the member case's step that caused it, not by when the
sync runs: a member's result or closure at the moment its case was decided
(refused, withdrawn), a member filed or stopped at the moment its last
prerequisite was, and the application ready at its last result. A delayed
outbox or the sweep therefore moves no date: a later member's clock starts on
the day the decision released it (第三十二条 counts from receipt, and the
bundle received everything on submission), and the figures count to the day
the last result was out.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.db import transaction

from tongban.bundles import errors, workflow
from tongban.bundles.content import BundleContent
from tongban.bundles.merge import bundle_merge
from tongban.bundles.models import (
    ApplicationStatus,
    BundleApplication,
    BundleMember,
    MemberStatus,
)
from tongban.bundles.services._common import (
    application_move,
    content_parse,
    member_guides,
    member_move,
    members_resolve,
)
from tongban.bundles.services.members import (
    answers_of,
    member_case_start,
    supplied_fields,
    supplied_of,
)
from tongban.bundles.services.notify import notify_applicant
from tongban.cases.models import Case, CaseEvent, CaseStatus, Outcome
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.core.identifiers import generate_credit_code
from tongban.identity.models import LegalEntity

logger = logging.getLogger(__name__)

_RESULT_STATES = (CaseStatus.DECIDED, CaseStatus.DELIVERED, CaseStatus.CONCLUDED)


def case_outcome_at(case: Case) -> dt.datetime | None:
    """When a member case reached the state that closes its member: the first step
    into a result (the decision, or an on-the-spot grant), a refusal or a withdrawal."""
    states = _RESULT_STATES if case.status in _RESULT_STATES else (case.status,)
    return (
        CaseEvent.objects.filter(case_id=case.pk, to_status__in=states)
        .order_by("at", "id")
        .values_list("at", flat=True)
        .first()
    )


def _latest(moments: list[dt.datetime | None], fallback: dt.datetime) -> dt.datetime:
    known = [m for m in moments if m is not None]
    return max(known) if known else fallback


def case_outcome(case: Case) -> tuple[str, str] | None:
    """(member action, reason) of a member case's state, or None while it runs."""
    if case.status == CaseStatus.REFUSED:
        return "refuse", f"不予受理：{case.decision_reason}".rstrip("：")
    if case.status == CaseStatus.WITHDRAWN:
        return "withdraw", "申请人撤回了该事项的申请"
    if case.status in _RESULT_STATES:
        if case.outcome == Outcome.DENIED:
            return "refuse", f"不予许可：{case.decision_reason}".rstrip("：")
        return "result", ""
    return None


def _new_credit_code(*, registrar: str, region_code: str) -> str:
    """A 统一社会信用代码 for a business the registration just set up (GB 32100)."""
    while True:
        body = f"{secrets.randbelow(10**8):08d}"
        code = generate_credit_code(registrar + region_code[:6] + body)
        if not LegalEntity.objects.filter(credit_code=code).exists():
            return code


def _establish(
    application: BundleApplication, member: BundleMember, name: str, now: dt.datetime
) -> None:
    """设立登记 granted: the business exists, with its code (identity's registry)."""
    from tongban.identity.services import legal_entity_register

    person = application.applicant_person
    if application.established_entity_id or person is None or not name:
        return
    sole = "个体工商户" in member.service_item.name
    code = _new_credit_code(
        registrar="92" if sole else "91", region_code=member.service_item.region_id
    )
    application.established_entity = legal_entity_register(
        credit_code=code, name=name, legal_representative=person, now=now
    )


class _Filing:
    """What filing a waiting member needs, loaded once per sync and only if needed."""

    def __init__(self, application: BundleApplication, content: BundleContent) -> None:
        self.application = application
        self.content = content
        self.resolved = {m.key: m for m in members_resolve(content, strict=False)}
        keys = list(application.members.values_list("key", flat=True))
        chosen = [self.resolved[k] for k in keys if k in self.resolved]
        self.merge = bundle_merge(
            member_guides(chosen, application.situations),
            content,
            supplied=supplied_fields(content, keys),
        )
        self.answers = answers_of(application)
        self.supplied = supplied_of(application)

    def start(self, member: BundleMember, now: dt.datetime) -> None:
        resolved = self.resolved.get(member.key)
        entity = self.application.established_entity
        if entity is not None:
            self.answers["credit_code"] = entity.credit_code
        try:
            if resolved is None:
                raise DomainError(
                    errors.NOT_AVAILABLE, "该事项当前不可申请（办事指南未发布或事项已取消）"
                )
            with transaction.atomic():
                case = member_case_start(
                    application=self.application,
                    content=self.content,
                    member=member,
                    resolved=resolved,
                    merge=self.merge,
                    answers=self.answers,
                    supplied=self.supplied,
                    actor=self.application.submitted_by,
                    now=now,
                )
        except DomainError as exc:
            member_move(member, "fail", actor=None, now=now, reason=exc.detail)
            member.save(update_fields=["status", "finished_at", "reason"])
            logger.warning(
                "bundle %s member %s not filed: %s",
                self.application.application_no,
                member.key,
                exc.code,
            )
            return
        member.case = case
        member_move(member, "start", actor=None, now=now, details={"case_no": case.case_no})
        member.save(update_fields=["case", "status", "started_at"])


def _close_running(members: list[BundleMember], now: dt.datetime) -> list[BundleMember]:
    closed = []
    for member in members:
        if member.status != MemberStatus.RUNNING or member.case is None:
            continue
        outcome = case_outcome(member.case)
        if outcome is None:
            continue
        action, reason = outcome
        if member_move(
            member,
            action,
            actor=None,
            now=case_outcome_at(member.case) or now,
            reason=reason,
            details={"case_no": member.case.case_no},
        ):
            member.save(update_fields=["status", "finished_at", "reason"])
            if action != "result":
                closed.append(member)
    return closed


def _stop_blocked(members: list[BundleMember], now: dt.datetime) -> list[BundleMember]:
    by_key = {m.key: m for m in members}
    stopped: list[BundleMember] = []
    moved = True
    while moved:
        moved = False
        for member in members:
            if member.status != MemberStatus.WAITING:
                continue
            blocker = next(
                (
                    by_key[d]
                    for d in member.depends_on
                    if d in by_key and by_key[d].status in workflow.MEMBER_CLOSED
                ),
                None,
            )
            if blocker is None:
                continue
            why = blocker.reason or MemberStatus(blocker.status).label
            reason = f"前置事项“{blocker.name}”{MemberStatus(blocker.status).label}（{why}）"
            member_move(member, "stop", actor=None, now=blocker.finished_at or now, reason=reason)
            member.save(update_fields=["status", "finished_at", "reason"])
            stopped.append(member)
            moved = True
    return stopped


def _ready_members(members: list[BundleMember]) -> list[BundleMember]:
    by_key = {m.key: m for m in members}
    return [
        m
        for m in members
        if m.status == MemberStatus.WAITING
        and all(by_key[d].status == MemberStatus.RESULT for d in m.depends_on if d in by_key)
    ]


def _refusal_text(closed: list[BundleMember], stopped: list[BundleMember]) -> str:
    parts = [f"“{m.name}”{MemberStatus(m.status).label}（{m.reason}）" for m in closed]
    if stopped:
        names = "、".join(f"“{m.name}”" for m in stopped)
        parts.append(f"{names}因此无法办理")
    return "；".join(parts)


def application_sync(*, application_id: int, now: dt.datetime | None = None) -> BundleApplication:
    """See the module docstring. Returns the application as it now stands."""
    from tongban.bundles.services.supplements import supplement_notice_assemble

    moment = now or clock.now()
    with transaction.atomic():
        application = (
            BundleApplication.objects.select_for_update(of=("self",))
            .select_related("bundle", "bundle_version", "established_entity")
            .get(pk=application_id)
        )
        if application.status not in (ApplicationStatus.IN_PROGRESS, ApplicationStatus.READY):
            return application
        members = list(
            application.members.select_related("case", "service_item").order_by("position")
        )
        for member in members:
            member.application = application
        content = content_parse(application.bundle_version.content)
        closed = _close_running(members, moment)
        stopped = _stop_blocked(members, moment)
        filing: _Filing | None = None
        while ready := _ready_members(members):
            if content.establishes_entity and any(
                m.key == content.establishes_entity and m.status == MemberStatus.RESULT
                for m in members
            ):
                founding = next(m for m in members if m.key == content.establishes_entity)
                if filing is None:
                    filing = _Filing(application, content)
                _establish(
                    application,
                    founding,
                    str(filing.answers.get("entity_name", "")),
                    founding.finished_at or moment,
                )
            filing = filing or _Filing(application, content)
            by_key = {m.key: m for m in members}
            for member in ready:
                # Filed when the decision that released it was made, not when
                # this sync runs (a delayed outbox must not move its dates).
                released = _latest(
                    [by_key[d].finished_at for d in member.depends_on if d in by_key],
                    application.received_at,
                )
                filing.start(member, released)
            stopped += _stop_blocked(members, moment)
        if closed or stopped:
            key = "+".join(sorted(m.key for m in closed + stopped))
            notify_applicant(
                application,
                "refused",
                now=moment,
                extra=_refusal_text(closed, stopped),
                key=f"refused-{key}",
            )
        still_open = [
            m for m in members if m.status in (MemberStatus.WAITING, MemberStatus.RUNNING)
        ]
        if not still_open and application.status == ApplicationStatus.IN_PROGRESS:
            # Ready (or stopped) when the last member was closed.
            last = _latest([m.finished_at for m in members], moment)
            if any(m.status == MemberStatus.RESULT for m in members):
                application_move(application, "ready", actor=None, now=last)
                application.ready_on = clock.local_date(last)
                notify_applicant(application, "ready", now=moment)
            else:
                application_move(
                    application, "stop", actor=None, now=last, reason="所有事项均未获准予"
                )
                notify_applicant(
                    application, "stop", now=moment, extra=_refusal_text(closed, stopped)
                )
        supplement_notice_assemble(application=application, members=members, now=moment)
        application.save()
    return application


def bundle_applications_sync(*, now: dt.datetime | None = None, limit: int = 5000) -> int:
    """The sweep: every open application once; the number whose status moved."""
    moved = 0
    ids = list(
        BundleApplication.objects.filter(status=ApplicationStatus.IN_PROGRESS)
        .order_by("id")
        .values_list("pk", "version")[:limit]
    )
    for pk, version in ids:
        if application_sync(application_id=pk, now=now).version != version:
            moved += 1
    return moved
