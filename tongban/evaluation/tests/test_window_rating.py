"""一次一评: the person served rates the clerk's visit on the window's device,
once per visit, within half an hour; a 差评 opens a rectification."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.cases.models import CaseEvent
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.evaluation.models import Rating, Rectification
from tongban.evaluation.services import window

MIN = dt.timedelta(minutes=1)


def _visit(ew):
    case = ew.concluded_case()  # the clerk handled it on the spot at T0 + 1 h
    event = CaseEvent.objects.get(case=case, action="handle_immediately")
    assert event.actor_id == ew.cases.clerk.pk
    return case, event


def _rate(ew, event, *, at, clerk=None, **kw):
    args = {"level": "very_satisfied", **kw}
    return window.rating_submit_at_window(
        clerk=clerk or ew.cases.clerk, case_event_id=event.pk, now=at, **args
    )


def test_a_visit_is_rated_once_and_attaches_to_the_clerk_and_window(ew):
    case, event = _visit(ew)
    at = event.at + 5 * MIN
    assert [v.pk for v in window.window_visits_for_clerk(clerk=ew.cases.clerk, now=at)] == [
        event.pk
    ]
    rating = _rate(ew, event, at=at)
    assert (rating.channel, rating.clerk_id, rating.window_id, rating.rater_id) == (
        "window",
        ew.cases.clerk.pk,
        case.window_id,
        None,
    )
    assert (rating.case_id, rating.department_id, rating.visit_event_id) == (
        case.pk,
        case.department_id,
        event.pk,
    )
    assert window.window_visits_for_clerk(clerk=ew.cases.clerk, now=at + MIN) == []
    with pytest.raises(DomainError) as exc:
        _rate(ew, event, at=at + MIN)
    assert exc.value.code == "rating_exists"
    assert Rating.objects.filter(visit_event=event).count() == 1


def test_only_the_clerks_own_recent_visit_may_be_rated(ew):
    _, event = _visit(ew)
    for clerk, at in (
        (ew.cases.other_clerk, event.at + MIN),  # another window's clerk
        (ew.cases.clerk, event.at + 31 * MIN),  # too late
        (ew.cases.clerk, event.at - MIN),  # before the visit
    ):
        with pytest.raises(DomainError) as exc:
            _rate(ew, event, at=at, clerk=clerk)
        assert exc.value.code == "not_found"
    with pytest.raises(DomainError) as exc:
        _rate(ew, event, at=event.at + MIN, clerk=ew.cases.head)  # not a window clerk
    assert exc.value.code == "permission_denied"
    assert not Rating.objects.filter(visit_event=event).exists()


def test_a_bad_window_rating_needs_a_reason_and_opens_a_rectification(ew):
    case, event = _visit(ew)
    with pytest.raises(DomainError) as exc:
        _rate(ew, event, at=event.at + MIN, level="dissatisfied")
    assert exc.value.code == "rating_reason_required"
    rating = _rate(ew, event, at=event.at + MIN, level="dissatisfied", reasons=["attitude"])
    rect = Rectification.objects.get(rating=rating)
    assert (rect.status, rect.department_id) == ("open", case.department_id)


def test_the_device_page_offers_the_visit_and_thanks_after_the_rating(client, ew, monkeypatch):
    case, event = _visit(ew)
    monkeypatch.setattr(clock, "now", lambda: event.at + 2 * MIN)
    client.force_login(ew.cases.clerk)
    page = client.get("/workbench/window-rating/").content.decode()
    assert case.case_no in page and "非常满意" in page
    bad = client.post("/workbench/window-rating/", {"visit": event.pk, "level": "nope"})
    assert bad.status_code == 422 and not Rating.objects.filter(visit_event=event).exists()
    done = client.post("/workbench/window-rating/", {"visit": event.pk, "level": "satisfied"})
    assert done.status_code == 302
    assert Rating.objects.get(visit_event=event).level == "satisfied"
    assert "感谢您的评价" in client.get("/workbench/window-rating/").content.decode()
    client.force_login(ew.cases.head)
    assert client.get("/workbench/window-rating/").status_code == 404
