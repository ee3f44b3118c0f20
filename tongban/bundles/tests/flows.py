"""Test helpers: fill a bundle's one form, submit it, and play each department."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from tongban.bundles.merge import MergeResult, bundle_merge
from tongban.bundles.models import Bundle, BundleApplication, MemberStatus
from tongban.bundles.services._common import content_parse, member_guides, members_resolve
from tongban.bundles.services.applications import MaterialGiven, bundle_application_submit
from tongban.bundles.services.members import supplied_fields
from tongban.bundles.services.progress import application_sync
from tongban.bundles.services.supplements import bundle_supplement_submit
from tongban.bundles.tests.conftest import World, pdf
from tongban.cases import services as case_services
from tongban.cases.models import Case, CaseStatus
from tongban.cases.services.intake import missing_materials
from tongban.catalog.content import FieldType
from tongban.org.models import Role

# Valid values by field code (GB 11643 and GB 32100 check digits hold).
VALUES: dict[str, Any] = {
    "entity_name": "南京通办示范科技有限公司",
    "legal_rep_id_number": "320102198503120012",
    "spouse_id_number": "320106197811050045",
    "father_id_number": "320102198503120012",
    "mother_id_number": "320106197811050045",
    "deceased_id_number": "320106197811050045",
    "applicant_phone": "13800000001",
    "contact_phone": "13800000001",
    "child_birth_date": "2026-10-28",
    "death_date": "2026-10-30",
    "retirement_date": "2026-10-31",
    "discharge_date": "2026-10-20",
}
BY_TYPE: dict[str, Any] = {
    FieldType.TEXT: "演示内容",
    FieldType.TEXTAREA: "演示说明",
    FieldType.NUMBER: 100,
    FieldType.DATE: "2026-10-30",
    FieldType.ID_NUMBER: "320102198503120012",
    FieldType.PHONE: "13800000001",
    FieldType.REGION: "320102",
    FieldType.BANK_ACCOUNT: "6222020200112233445",
    FieldType.CHECKBOX: True,
}
# Filled in from the applicant's registered identity when left out.
BOUND = ("applicant_name", "applicant_id_number", "credit_code")


def merge_of(bundle: Bundle, members: list[str] | None = None) -> MergeResult:
    content = content_parse(bundle.current_version.content)  # type: ignore[union-attr]
    resolved = members_resolve(content)
    if members is not None:
        resolved = [m for m in resolved if not m.optional or m.key in members]
    keys = [m.key for m in resolved]
    return bundle_merge(member_guides(resolved), content, supplied=supplied_fields(content, keys))


def fill(merge: MergeResult, *, skip: tuple[str, ...] = BOUND, **given: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for field in merge.asked_fields:
        if field.code in skip:
            continue
        if field.code in given:
            answers[field.code] = given[field.code]
        elif field.code in VALUES:
            answers[field.code] = VALUES[field.code]
        elif field.spec.type == FieldType.SELECT:
            answers[field.code] = field.spec.options[0]
        else:
            answers[field.code] = BY_TYPE.get(field.spec.type, "演示")
    return answers


def uploads(merge: MergeResult) -> list[MaterialGiven]:
    return [
        MaterialGiven(key=m.key, content=pdf(m.key), file_name=f"{m.spec.name}.pdf")
        for m in merge.materials_to_submit
        if m.needed
    ]


def submit(world: World, code: str, *, person: bool = True, **kwargs: Any) -> BundleApplication:
    bundle = world.bundles[code]
    merge = merge_of(bundle, kwargs.get("members"))
    who: dict[str, Any] = (
        {"applicant_person": world.founder}
        if person
        else {"applicant_entity": world.entity, "agent_person": world.agent}
    )
    return bundle_application_submit(
        bundle=bundle,
        channel="online",
        form_data=kwargs.pop("form_data", None) or fill(merge),
        materials=kwargs.pop("materials", None) or uploads(merge),
        now=kwargs.pop("now", world.at()),
        **who,
        **kwargs,
    )


def case_of(member: Any) -> Case:
    assert member.case is not None
    return member.case


def cases_by_key(application: BundleApplication) -> dict[str, Case]:
    return {
        m.key: case_of(m)
        for m in application.members.select_related("case__department")
        if m.case is not None
    }


def running_cases(application: BundleApplication) -> list[Case]:
    return [
        m.case
        for m in application.members.select_related("case").order_by("position")
        if m.status == MemberStatus.RUNNING and m.case is not None
    ]


def answer(world: World, case: Case, now: Any) -> str:
    """The department's answer at acceptance: a supplement notice when materials
    are missing (as the exemption look-ups may leave them), else acceptance (or
    the on-the-spot decision of a 即办件)."""
    case.refresh_from_db()
    clerk = world.staff_of(case.department, Role.WINDOW_CLERK)
    missing = missing_materials(case)
    if missing:
        items = [{"code": m["code"], "name": m["name"], "reason": "请补正"} for m in missing]
        case_services.case_request_supplement(case_id=case.pk, actor=clerk, items=items, now=now)
        return "supplement"
    if case.rules["handling"] == "immediate" and case.status == CaseStatus.SUBMITTED:
        case_services.case_handle_immediately(
            case_id=case.pk, actor=clerk, outcome="granted", reason="符合条件",
            legal_basis="《中华人民共和国行政许可法》第三十八条", now=now,
        )  # fmt: skip
        return "handled"
    case_services.case_accept(case_id=case.pk, actor=clerk, now=now)
    return "accepted"


def decide(world: World, case: Case, now: Any, outcome: str = "granted") -> None:
    case.refresh_from_db()
    reviewer = world.staff_of(case.department, Role.REVIEWER)
    if case.status == CaseStatus.ACCEPTED:
        case_services.case_start_review(case_id=case.pk, actor=reviewer, now=now)
    case_services.case_decide(
        case_id=case.pk, actor=reviewer, outcome=outcome, reason="经审查符合条件" if outcome ==
        "granted" else "经审查不符合条件", legal_basis="《中华人民共和国行政许可法》第三十八条",
        now=now,
    )  # fmt: skip


def run_through(
    world: World,
    application: BundleApplication,
    now: Any,
    events: Callable[[], AbstractContextManager[Any]],
    *,
    supplement: Callable[[BundleApplication], None] | None = None,
    rounds: int = 12,
) -> list[list[str]]:
    """Play every department until no member runs: answer, supplement, decide.
    Returns the members filed in each round (the dependency order)."""
    order: list[list[str]] = []
    for _ in range(rounds):
        application.refresh_from_db()
        cases = running_cases(application)
        if not cases:
            break
        order.append(
            [m.key for m in application.members.filter(case__in=cases).order_by("position")]
        )
        for case in cases:
            case.refresh_from_db()
            with events():
                if case.status == CaseStatus.SUBMITTED:
                    answer(world, case, now)
        application.refresh_from_db()
        if supplement is not None and application.supplement_notices.filter(status="open"):
            with events():
                supplement(application)
            for case in running_cases(application):
                case.refresh_from_db()
                if case.status == CaseStatus.SUPPLEMENTED:
                    with events():
                        answer(world, case, now)
        for case in running_cases(application):
            case.refresh_from_db()
            if case.status in (CaseStatus.ACCEPTED, CaseStatus.UNDER_REVIEW):
                with events():
                    decide(world, case, now)
    application.refresh_from_db()
    return order


def submit_as_business(world: World, code: str, **given: Any) -> BundleApplication:
    """The bundle for the world's business (its registered name; a 工程建设
    project registered from the form when no ``project_code`` is given)."""
    merge = merge_of(world.bundles[code])
    answers = {"entity_name": world.entity.name, "applicant_name": world.entity.name, **given}
    form = fill(merge, skip=("applicant_id_number", "credit_code", "project_code"), **answers)
    return submit(world, code, person=False, form_data=form)


def grant_running(
    world: World,
    application: BundleApplication,
    at: dt.datetime,
    decide_at: dt.datetime | None = None,
) -> None:
    """Every running member's department accepts (after the one combined
    supplement, if they ask for one) and grants, all at ``at``; the bundle hears
    of the decisions only when it is next synced."""

    def running() -> list[Case]:
        return [
            case_of(m)
            for m in application.members.select_related("case")
            if m.status == MemberStatus.RUNNING
        ]

    for case in running():
        if case.status == CaseStatus.SUBMITTED:
            answer(world, case, at)
    application_sync(application_id=application.pk, now=at)
    notice = application.supplement_notices.filter(status="open").first()
    if notice is not None:
        files = {e["key"]: (pdf(e["key"]), f"{e['name']}.pdf") for e in notice.items}
        bundle_supplement_submit(application=application, files=files, actor=None, now=at)
        for case in running():
            case.refresh_from_db()
            if case.status == CaseStatus.SUPPLEMENTED:
                answer(world, case, at)
    for case in running():
        case.refresh_from_db()
        if case.status in (CaseStatus.ACCEPTED, CaseStatus.UNDER_REVIEW):
            decide(world, case, decide_at or at)
