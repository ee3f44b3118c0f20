"""A hand-computed month (November 2026, no holiday) for the board's formulas.

Cases, ratings, rectifications and 12345 orders are written as rows (copies
of one case made through the services), so that each figure can be worked
out by hand; the comments in ``test_board.py`` do so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.db import rolled_back
from tongban.cases.models import Case, CaseMaterial, MaterialKind
from tongban.cases.tests.conftest import Accounts, World, _seed, _seed_accounts
from tongban.core.clock import SHANGHAI
from tongban.evaluation.models import SCORES, Rating, RatingLevel, Rectification
from tongban.evaluation.tests.conftest import _submit
from tongban.hotline.models import OrderStatus, WorkOrder
from tongban.org.models import Region, Window, WindowKind

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=SHANGHAI)
NOV = dt.date(2026, 11, 1)
OCT = dt.date(2026, 10, 1)


def local(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=SHANGHAI)


def d(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


@dataclass
class BoardWorld:
    cases: World
    accounts: Accounts
    base: Case
    copies: dict[str, Case]


def _copy(base: Case, no: str, **fields: Any) -> Case:
    case = Case.objects.get(pk=base.pk)
    case.pk = None
    case.case_no = no
    for name, value in fields.items():
        setattr(case, name, value)
    case.save()
    return case


def _rating(case: Case | None, level: str, at: dt.datetime, **extra: Any) -> Rating:
    some = case or Case.objects.first()
    assert some is not None
    return Rating.objects.create(
        subject_kind="case",
        subject_no=(case.case_no if case else "R-X"),
        case=case,
        channel="online",
        level=level,
        score=SCORES[RatingLevel(level)],
        is_bad=level in ("dissatisfied", "very_dissatisfied"),
        rater=extra.pop("rater"),
        service_item_id=some.service_item_id,
        department_id=some.department_id,
        region_path=some.region_path,
        rated_at=at,
        **extra,
    )


def _rect(rating: Rating, due: str, *, on_time: bool | None, status: str) -> Rectification:
    return Rectification.objects.create(
        rating=rating,
        status=status,
        department_id=rating.department_id,
        region_path=rating.region_path,
        opened_at=rating.rated_at,
        due_on=d(due),
        limit_working_days=15,
        on_time=on_time,
        answered_at=rating.rated_at if on_time is not None else None,
    )


def _order(no: str, registered: dt.datetime, region: Region, **fields: Any) -> WorkOrder:
    return WorkOrder.objects.create(
        order_no=no,
        channel="phone",
        kind="request",
        status=fields.pop("status", OrderStatus.REPLIED),
        title="诉求",
        content="诉求内容",
        region=region,
        region_path=region.path,
        registered_at=registered,
        created_at=registered,
        updated_at=registered,
        **fields,
    )


def seed_month(world: World, accounts: Accounts) -> BoardWorld:
    # The base case: received online on Mon 2 Nov 2026, still open.
    base = _submit(world, local("2026-11-02"))
    comprehensive = Window.objects.filter(kind=WindowKind.COMPREHENSIVE).first()
    general = Window.objects.filter(kind=WindowKind.GENERAL).first()
    concluded = {"status": "concluded", "outcome": "granted"}
    copies = {
        "c1": _copy(
            base,
            "T-C1",
            channel="window",
            window=comprehensive,
            received_on=d("2026-11-02"),
            accepted_on=d("2026-11-02"),
            decided_on=d("2026-11-05"),
            decision_deadline=d("2026-11-06"),
            delivery_method="electronic",
            concluded_at=local("2026-11-06"),
            **concluded,
        ),
        "c2": _copy(
            base,
            "T-C2",
            channel="online",
            received_on=d("2026-11-03"),
            accepted_on=d("2026-11-03"),
            decided_on=d("2026-11-13"),
            decision_deadline=d("2026-11-10"),
            delivery_method="window",
            concluded_at=local("2026-11-16"),
            **concluded,
        ),
        "c3": _copy(
            base,
            "T-C3",
            channel="window",
            window=general,
            received_on=d("2026-11-04"),
            accepted_on=d("2026-11-04"),
            decided_on=d("2026-11-04"),
            decision_deadline=d("2026-11-20"),
            delivery_method="window",
            concluded_at=local("2026-11-04", 15),
            **concluded,
        ),
        "c5": _copy(
            base,
            "T-C5",
            channel="online",
            received_on=d("2026-10-30"),
            received_at=local("2026-10-30"),
            accepted_on=d("2026-10-30"),
            decided_on=d("2026-11-02"),
            decision_deadline=d("2026-11-02"),
            delivery_method="electronic",
            concluded_at=local("2026-11-02", 16),
            **concluded,
        ),
    }
    for case, n in ((copies["c1"], 2), (copies["c2"], 1)):
        for i in range(n):
            CaseMaterial.objects.create(
                case=case, code=f"gov{i}", name="营业执照", kind=MaterialKind.GOVERNMENT_DATA
            )
    rater = accounts.citizen
    _rating(copies["c1"], "very_satisfied", local("2026-11-07"), rater=rater)
    _rating(copies["c2"], "satisfied", local("2026-11-17"), rater=rater)
    _rating(copies["c3"], "dissatisfied", local("2026-11-05"), rater=rater)
    _rating(copies["c5"], "very_dissatisfied", local("2026-11-03"), rater=rater, excluded=True)
    # Rectifications, their ratings given in October (not in November's 好评率).
    october = local("2026-10-20")
    _rect(
        _rating(None, "dissatisfied", october, rater=rater),
        "2026-11-20",
        on_time=True,
        status="closed",
    )
    _rect(
        _rating(None, "dissatisfied", october, rater=rater),
        "2026-11-10",
        on_time=None,
        status="open",
    )
    _rect(
        _rating(None, "dissatisfied", october, rater=rater),
        "2026-11-25",
        on_time=False,
        status="answered",
    )
    _rect(
        _rating(None, "dissatisfied", october, rater=rater),
        "2026-12-15",
        on_time=None,
        status="open",
    )
    region = Region.objects.get(code="320102")
    dept = base.department
    _order(
        "O1",
        local("2026-11-02"),
        region,
        department=dept,
        first_dispatched_at=local("2026-11-03"),
        replied_at=local("2026-11-09"),
        satisfaction=5,
    )
    _order(
        "O2",
        local("2026-11-06"),
        region,
        department=dept,
        first_dispatched_at=local("2026-11-10"),
        replied_at=local("2026-11-20"),
        satisfaction=3,
    )
    _order("O3", local("2026-11-02"), region, status=OrderStatus.ANSWERED)
    _order("O4", local("2026-11-02"), region, status=OrderStatus.REGISTERED)
    return BoardWorld(world, accounts, base, copies)


@pytest.fixture(scope="module")
def bw(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with rolled_back(django_db_blocker):
        world = _seed()
        yield seed_month(world, _seed_accounts(world))


@pytest.fixture(autouse=True)
def _db_for_every_test(db: Any) -> None:
    """Every test runs in its own savepoint (rolled back after it)."""
