"""Demo activity: half a year of 南京's cases and their ratings, made through
the services with past times, so that a fresh ``make run`` shows the
indicators board (指标看板), the public figures and the rating board with
figures worked out from real rows.

Deterministic (a fixed seed): window and online intake, acceptance, review,
decisions mostly on time and some late, delivery by window or electronically,
ratings from 非常满意 to 非常不满意 (a bad one opens its rectification, some
answered). 12345 figures come from the hotline's imported history
(``hotline.demo``). Loaded only into a database without cases.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from tongban.analytics.services import board_rollups_rebuild
from tongban.cases import services as case_services
from tongban.cases.models import Case, MaterialKind
from tongban.cases.services.intake import MaterialInput
from tongban.catalog.content import Audience, FieldType, GuideContent, Handling
from tongban.catalog.models import ServiceItem
from tongban.catalog.situations import materials_for
from tongban.core import clock
from tongban.core.calendar import get_calendar
from tongban.core.crypto import decrypt
from tongban.core.errors import DomainError
from tongban.core.identifiers import generate_credit_code
from tongban.evaluation.models import Rectification, RectificationStatus
from tongban.evaluation.services.ratings import rating_submit_for_case
from tongban.evaluation.services.rectification import rectification_answer
from tongban.identity.models import User
from tongban.identity.selectors import ID_NUMBER_CONTEXT

MONTHS = 6
CASES_PER_MONTH = 18
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 40
LEVELS = (
    ("very_satisfied", 55),
    ("satisfied", 25),
    ("basically_satisfied", 10),
    ("dissatisfied", 7),
    ("very_dissatisfied", 3),
)


def _items() -> list[tuple[ServiceItem, GuideContent]]:
    """Promised items of 南京市市场监督管理局 (the demo reviewer's), for persons first;
    the applicant brings every paper (a registry look-up may find none for a person)."""
    found = []
    for item in (
        ServiceItem.objects.filter(
            status="active", region_id="320100", department__name="南京市市场监督管理局"
        )
        .select_related("current_version")
        .order_by("implementation_code")
    ):
        if item.current_version is None:
            continue
        guide = GuideContent.model_validate(item.current_version.content)
        if guide.handling.value == Handling.PROMISED:
            found.append((item, guide))
    found.sort(key=lambda pair: Audience.PERSON not in pair[1].audience)
    return found[:4]


def _form(guide: GuideContent, id_number: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        FieldType.ID_NUMBER: id_number,
        FieldType.CREDIT_CODE: generate_credit_code("9132010270000001"),
        FieldType.PHONE: "13812345678",
        FieldType.NUMBER: "100",
        FieldType.DATE: "2026-01-05",
        FieldType.CHECKBOX: True,
    }
    form: dict[str, Any] = {}
    for spec in guide.form:
        if spec.required:
            if spec.type == FieldType.SELECT:
                form[spec.code] = spec.options[0]
            else:
                form[spec.code] = values.get(spec.type, "南京市玄武区中山路 1 号")
    return form


def _materials(guide: GuideContent) -> list[MaterialInput]:
    return [
        MaterialInput(code=m.code, kind=MaterialKind.UPLOAD, content=PDF, file_name=f"{m.name}.pdf")
        for m in materials_for(guide, None)
    ]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=clock.SHANGHAI)


def demo_activity_load(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Create the half year of activity, unless the database has cases already."""
    if Case.objects.exists():
        return {"cases": 0, "ratings": 0}
    moment = now or clock.now()
    today = clock.local_date(moment)
    items = _items()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["nj_clerk", "nj_reviewer", "nj_head"])
    }
    citizens = list(
        User.objects.filter(kind="citizen", person__isnull=False).select_related("person")
    )
    if not items or len(users) < 3 or not citizens:
        return {"cases": 0, "ratings": 0}
    clerk, reviewer, head = users["nj_clerk"], users["nj_reviewer"], users["nj_head"]
    rng = random.Random(20261203)  # noqa: S311 (reproducible demo data, not a secret)
    cal = get_calendar()
    first = today.replace(day=1)
    for _ in range(MONTHS - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    days = [
        first + dt.timedelta(days=n)
        for n in range((today - first).days)
        if cal.is_working(first + dt.timedelta(days=n))
    ]
    counts = {"cases": 0, "ratings": 0}
    for _ in range(CASES_PER_MONTH * MONTHS):
        day = rng.choice(days)
        item, guide = rng.choice(items)
        citizen = rng.choice(citizens)
        person = citizen.person
        assert person is not None  # filtered above
        at_window = rng.random() < 0.45
        received = _at(day, rng.randint(9, 15))
        case = case_services.case_submit(
            service_item=item,
            channel="window" if at_window else "online",
            applicant_person=person,
            form_data=_form(guide, decrypt(person.id_number_enc, context=ID_NUMBER_CONTEXT)),
            materials=_materials(guide),
            submitted_by=clerk if at_window else citizen,
            now=received,
        )
        counts["cases"] += 1
        accepted = received + dt.timedelta(hours=1)
        if accepted.date() >= today:
            continue
        try:
            case = case_services.case_accept(case_id=case.pk, actor=clerk, now=accepted)
        except DomainError:  # left for the clerk: a supplement to ask for
            continue
        # Most are decided in time, about one in eight late.
        deadline = case.decision_deadline or cal.add_working_days(accepted.date(), 10)
        if rng.random() > 0.12:
            span = max(1, cal.working_days_between(accepted.date(), deadline))
            decided_day = cal.add_working_days(accepted.date(), rng.randint(1, span))
        else:
            decided_day = cal.add_working_days(deadline, 2)
        if decided_day >= today:
            continue
        case_services.case_start_review(
            case_id=case.pk, actor=reviewer, now=accepted + dt.timedelta(hours=1)
        )
        case_services.case_decide(
            case_id=case.pk,
            actor=reviewer,
            outcome="granted",
            reason="材料齐全，符合法定条件。",
            legal_basis="《中华人民共和国行政许可法》第三十八条",
            now=_at(decided_day, 10),
        )
        delivered_day = cal.add_working_days(decided_day, rng.randint(0, 2))
        if delivered_day >= today:
            continue
        try:
            case_services.case_deliver(
                case_id=case.pk,
                actor=clerk,
                method="window" if at_window else "electronic",
                now=_at(delivered_day, 14),
            )
        except DomainError:  # e.g. a fee the applicant has not paid: stays decided
            continue
        concluded = _at(delivered_day, 15)
        case_services.case_conclude(case_id=case.pk, actor=clerk, now=concluded)
        if rng.random() < 0.7 and delivered_day < today - dt.timedelta(days=1):
            level = rng.choices([lv for lv, _ in LEVELS], weights=[w for _, w in LEVELS])[0]
            rating, _ = rating_submit_for_case(
                case_id=case.pk,
                rater=citizen,
                level=level,
                reasons=[]
                if level in ("very_satisfied", "satisfied", "basically_satisfied")
                else ["slow"],
                now=concluded + dt.timedelta(hours=3),
            )
            counts["ratings"] += 1
            rect = Rectification.objects.filter(
                rating=rating, status=RectificationStatus.OPEN
            ).first()
            answered = cal.add_working_days(delivered_day, rng.randint(2, 20))
            if rect is not None and answered < today:
                rectification_answer(
                    rectification_id=rect.pk,
                    actor=head,
                    cause="审查环节等待时间较长。",
                    measures="已调整审查排班，缩短等待时间。",
                    now=_at(answered, 11),
                )
    board_rollups_rebuild(now=moment)
    return counts
