"""The public working-day calendar API: /api/v1/calendar/…"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.management import call_command

from tongban.core import calendar, clock
from tongban.core.models import AuditEvent, CalendarOverride, IdempotencyRecord

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["type"] == f"urn:tongban:problem:{code}"
    assert body["detail"]
    return body


def test_a_national_day_holiday_is_not_a_working_day(client):
    response = client.get("/api/v1/calendar/days/2026-10-01")
    assert response.status_code == 200
    assert response.json() == {
        "date": "2026-10-01",
        "working": False,
        "kind": "holiday",
        "name": "国庆节",
        "provisional": False,
    }


def test_a_makeup_saturday_is_a_working_day(client):
    response = client.get("/api/v1/calendar/days/2026-10-10")

    assert response.status_code == 200
    assert response.json() == {
        "date": "2026-10-10",
        "working": True,
        "kind": "makeup_workday",
        "name": "国庆节",
        "provisional": False,
    }


def test_an_ordinary_sunday_is_a_weekend(client):
    response = client.get("/api/v1/calendar/days/2026-10-11")

    assert response.json() == {
        "date": "2026-10-11",
        "working": False,
        "kind": "weekend",
        "name": "",
        "provisional": False,
    }


def test_asking_the_calendar_writes_nothing(client):
    client.get("/api/v1/calendar/days/2026-10-01")
    client.get("/api/v1/calendar/add-working-days", {"start": "2026-09-30", "days": 1})

    assert AuditEvent.objects.count() == 0
    assert CalendarOverride.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0


def test_a_repeated_lookup_reads_nothing_and_later_only_the_calendar_version(
    client, django_assert_num_queries, monkeypatch
):
    client.get("/api/v1/calendar/days/2026-10-01")

    # Within the recheck interval the cached calendar answers without a query.
    with django_assert_num_queries(0):
        response = client.get("/api/v1/calendar/days/2026-10-02")
    assert response.status_code == 200
    # After it, the two aggregates of CalendarYear.version_stamp, and no rebuild.
    monkeypatch.setattr(calendar, "RECHECK_SECONDS", 0.0)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/calendar/days/2026-10-03")
    assert response.status_code == 200


def test_an_override_saved_in_another_process_is_seen_after_the_recheck_interval(
    client, monkeypatch
):
    assert client.get("/api/v1/calendar/days/2026-10-10").json()["working"] is True
    # Written straight to the table, as another process would: no local cache clearing.
    CalendarOverride.objects.create(
        date=dt.date(2026, 10, 10), working=False, name="测试", updated_at=clock.now()
    )
    assert client.get("/api/v1/calendar/days/2026-10-10").json()["working"] is True
    monkeypatch.setattr(calendar, "RECHECK_SECONDS", 0.0)
    assert client.get("/api/v1/calendar/days/2026-10-10").json()["working"] is False


def test_one_working_day_after_the_eve_of_national_day_is_8_october(client):
    response = client.get("/api/v1/calendar/add-working-days", {"start": "2026-09-30", "days": 1})

    assert response.status_code == 200
    assert response.json() == {
        "start": "2026-09-30",
        "days": 1,
        "date": "2026-10-08",
        "provisional": False,
    }


def test_one_working_day_after_the_friday_before_spring_festival_is_the_makeup_saturday(client):
    response = client.get("/api/v1/calendar/add-working-days", {"start": "2026-02-13", "days": 1})

    assert response.json()["date"] == "2026-02-14"


def test_working_days_between_counts_a_whole_year(client):
    response = client.get(
        "/api/v1/calendar/working-days-between", {"start": "2025-12-31", "end": "2026-12-31"}
    )

    assert response.status_code == 200
    assert response.json() == {
        "start": "2025-12-31",
        "end": "2026-12-31",
        "count": 248,
        "provisional": False,
    }


def test_working_days_between_is_negative_backwards(client):
    response = client.get(
        "/api/v1/calendar/working-days-between", {"start": "2026-10-08", "end": "2026-09-30"}
    )

    assert response.json()["count"] == -1


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/calendar/days/2026-02-30", {}, "path.date"),
        ("/api/v1/calendar/days/abc", {}, "path.date"),
        ("/api/v1/calendar/days/2026-13-01", {}, "path.date"),
        ("/api/v1/calendar/add-working-days", {"start": "2026-02-30", "days": 1}, "query.start"),
        ("/api/v1/calendar/add-working-days", {"start": "abc", "days": 1}, "query.start"),
        ("/api/v1/calendar/add-working-days", {"start": "2026-09-30", "days": -1}, "query.days"),
        ("/api/v1/calendar/add-working-days", {"start": "2026-09-30", "days": 3651}, "query.days"),
        ("/api/v1/calendar/add-working-days", {"start": "2026-09-30", "days": "x"}, "query.days"),
        ("/api/v1/calendar/add-working-days", {"start": "2026-09-30"}, "query.days"),
        ("/api/v1/calendar/add-working-days", {"days": 1}, "query.start"),
        ("/api/v1/calendar/working-days-between", {"start": "2026-01-01"}, "query.end"),
        ("/api/v1/calendar/working-days-between", {"end": "2026-01-01"}, "query.start"),
        (
            "/api/v1/calendar/working-days-between",
            {"start": "2026-01-01", "end": "2026-02-30"},
            "query.end",
        ),
    ],
    ids=lambda v: str(v),
)
def test_a_bad_parameter_is_a_422_naming_the_field(client, url, params, field):
    body = _problem(client.get(url, params), 422, "validation_failed")

    assert field in [e["field"] for e in body["errors"]]
    assert field in body["detail"]


def test_missing_both_parameters_names_both(client):
    body = _problem(client.get("/api/v1/calendar/add-working-days"), 422, "validation_failed")

    assert {e["field"] for e in body["errors"]} == {"query.start", "query.days"}
    assert {e["code"] for e in body["errors"]} == {"missing"}


def test_counting_into_the_provisional_year_answers_with_the_flag(client):
    # Wed 30 Dec 2026 + 3 → Tue 5 Jan 2027: Thu 31 Dec (1), 1/1 元旦 and the
    # weekend rest, Mon 4 Jan (2), Tue 5 Jan (3). 2027 has no notice yet.
    response = client.get("/api/v1/calendar/add-working-days", {"start": "2026-12-30", "days": 3})

    assert response.status_code == 200
    assert response.json() == {
        "start": "2026-12-30",
        "days": 3,
        "date": "2027-01-05",
        "provisional": True,
    }


def test_a_provisional_day_and_a_count_into_it_carry_the_flag(client):
    day = client.get("/api/v1/calendar/days/2027-02-09").json()
    between = client.get(
        "/api/v1/calendar/working-days-between", {"start": "2026-12-31", "end": "2027-01-05"}
    ).json()
    confirmed = client.get("/api/v1/calendar/days/2026-10-01").json()

    # Tue 9 Feb 2027: 春节 (除夕 2/5 Fri … 初三 2/8 Mon) owes two 补假 for its weekend.
    assert day == {
        "date": "2027-02-09",
        "working": False,
        "kind": "holiday",
        "name": "春节补假",
        "provisional": True,
    }
    assert between == {"start": "2026-12-31", "end": "2027-01-05", "count": 2, "provisional": True}
    assert confirmed["provisional"] is False


@pytest.mark.parametrize(
    ("url", "params"),
    [
        # 2027 is provisional (ADR-0006); 2028 has no data at all.
        ("/api/v1/calendar/days/2028-01-04", {}),
        ("/api/v1/calendar/add-working-days", {"start": "2027-12-31", "days": 1}),
        ("/api/v1/calendar/add-working-days", {"start": "2028-01-04", "days": 0}),
        ("/api/v1/calendar/add-working-days", {"start": "9999-12-31", "days": 1}),
        ("/api/v1/calendar/working-days-between", {"start": "2027-12-01", "end": "2028-01-05"}),
        ("/api/v1/calendar/days/0001-01-01", {}),
    ],
    ids=str,
)
def test_a_year_without_data_is_a_422_calendar_year_unavailable(client, url, params):
    body = _problem(client.get(url, params), 422, "calendar_year_unavailable")

    assert isinstance(body["year"], int)


def test_dates_twenty_years_apart_are_a_422_out_of_range(client):
    _problem(
        client.get(
            "/api/v1/calendar/working-days-between", {"start": "0001-01-01", "end": "9999-12-31"}
        ),
        422,
        "calendar_out_of_range",
    )


@pytest.mark.parametrize(
    "url", ["/api/v1/nope", "/api/v1/calendar/days/", "/api/v1/calendar/days/2026-10-01/x"]
)
def test_an_unknown_api_path_is_a_404_problem(client, url):
    _problem(client.get(url), 404, "not_found")


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_writing_to_a_read_only_endpoint_is_a_405_problem(client, method):
    response = getattr(client, method)("/api/v1/calendar/days/2026-10-01")

    body = _problem(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"
    assert method.upper() in body["detail"]


def test_the_openapi_schema_is_served_and_lists_the_calendar(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/calendar/days/{date}",
        "/api/v1/calendar/add-working-days",
        "/api/v1/calendar/working-days-between",
    } <= set(schema["paths"])


def test_the_committed_openapi_schema_is_up_to_date():
    call_command("openapi", "--check", str(settings.BASE_DIR / "docs" / "openapi.json"))


def test_the_api_docs_page_loads_its_assets_locally(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
