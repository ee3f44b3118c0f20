"""Request plumbing: Idempotency-Key, security headers, cursor pagination."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json

import pytest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as real_urlpatterns
from tongban.core import clock, idempotency
from tongban.core.api.pagination import MAX_LIMIT, paginate
from tongban.core.errors import DomainError
from tongban.core.models import CalendarOverride, IdempotencyRecord

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
T0 = dt.datetime(2026, 10, 8, 1, 0, tzinfo=dt.UTC)
executions: list[bytes] = []


@csrf_exempt
def create_thing(request: HttpRequest) -> HttpResponse:
    """A creating POST: writes a row each time it really runs."""
    executions.append(request.body)
    row = CalendarOverride.objects.create(
        date=dt.date(2030, 1, 1) + dt.timedelta(days=len(executions)),
        working=False,
        name="test",
        updated_at=T0,
    )
    return JsonResponse(
        {"id": row.pk},
        status=201,
        headers={"Location": f"/things/{row.pk}", "ETag": 'W/"1"', "X-Other": "no"},
    )


@csrf_exempt
def create_secret(request: HttpRequest) -> HttpResponse:
    """A creating POST whose answer shows a secret once."""
    executions.append(request.body)
    answer = JsonResponse({"secret": "s3cr3t-once"}, status=201)
    idempotency.withhold(answer)
    return answer


@csrf_exempt
def refuse_thing(request: HttpRequest) -> HttpResponse:
    executions.append(request.body)
    return JsonResponse({"code": "conflict"}, status=409)


@csrf_exempt
def crash(request: HttpRequest) -> HttpResponse:
    executions.append(request.body)
    return HttpResponse("down", status=503)


# This module is also the URLconf of the idempotency tests (pytest.mark.urls).
urlpatterns = [
    path("api/v1/test/things", create_thing),
    path("api/v1/test/refuse", refuse_thing),
    path("api/v1/test/secrets", create_secret),
    path("api/v1/test/crash", crash),
    path("elsewhere/things", create_thing),
    *real_urlpatterns,
]


@pytest.fixture(autouse=True)
def _clear_executions():
    executions.clear()
    yield
    executions.clear()


def _post(client, url="/api/v1/test/things", body=None, key="key-1", **extra):
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post(
        url,
        data=json.dumps(body if body is not None else {"name": "申请"}),
        content_type="application/json",
        headers=headers,
        **extra,
    )


def _problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == code


# --- Idempotency-Key -------------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_a_repeated_post_with_the_same_key_runs_once_and_replays_the_answer(client):
    first = _post(client)
    second = _post(client)

    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert second["Content-Type"] == first["Content-Type"]
    # The replay says where the thing is and which version, as the first did.
    assert second["Location"] == first["Location"] and second["ETag"] == 'W/"1"'
    assert "X-Other" not in second
    assert len(executions) == 1
    assert CalendarOverride.objects.count() == 1
    record = IdempotencyRecord.objects.get()
    assert (record.key, record.status_code, record.path) == ("key-1", 201, "/api/v1/test/things")


@pytest.mark.urls(__name__)
def test_a_withheld_answer_is_not_stored_and_its_repeat_is_told_so(client):
    first = _post(client, url="/api/v1/test/secrets")
    second = _post(client, url="/api/v1/test/secrets")

    assert first.status_code == 201 and first.json() == {"secret": "s3cr3t-once"}
    _problem(second, 409, "idempotency_answer_withheld")
    assert "201" in second.json()["detail"]
    assert len(executions) == 1  # not run again
    record = IdempotencyRecord.objects.get(key="key-1")
    assert record.withheld and record.status_code == 201
    assert b"s3cr3t" not in bytes(record.response_body or b"")


@pytest.mark.urls(__name__)
def test_the_same_key_with_another_body_is_refused(client):
    _post(client, body={"name": "申请"})

    response = _post(client, body={"name": "另一个申请"})

    _problem(response, 422, "idempotency_key_reused")
    assert len(executions) == 1
    assert CalendarOverride.objects.count() == 1


@pytest.mark.urls(__name__)
def test_the_same_key_on_another_path_is_refused(client):
    _post(client)

    _problem(_post(client, url="/api/v1/test/refuse"), 422, "idempotency_key_reused")
    assert len(executions) == 1


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("key", ["", "   ", '""', "x" * 201, "申请-1", "key\twith-tab"], ids=repr)
def test_an_invalid_key_is_a_400_and_nothing_runs(client, key):
    _problem(_post(client, key=key), 400, "idempotency_key_invalid")

    assert executions == []
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.urls(__name__)
def test_a_quoted_key_and_a_200_character_key_are_accepted(client):
    assert _post(client, key='"abc"').status_code == 201
    assert _post(client, key="x" * 200).status_code == 201
    assert _post(client, key="abc")["Idempotent-Replayed"] == "true"  # quotes are stripped


@pytest.mark.urls(__name__)
def test_without_a_key_every_post_runs(client):
    _post(client, key=None)
    _post(client, key=None)

    assert len(executions) == 2
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.urls(__name__)
def test_keys_of_different_callers_do_not_collide(client):
    _post(client, REMOTE_ADDR="10.0.0.1")
    response = _post(client, REMOTE_ADDR="10.0.0.2")

    assert "Idempotent-Replayed" not in response
    assert len(executions) == 2


@pytest.mark.urls(__name__)
def test_a_refusal_is_stored_and_replayed(client):
    _post(client, url="/api/v1/test/refuse")
    response = _post(client, url="/api/v1/test/refuse")

    _problem(response, 409, "conflict")
    assert response["Idempotent-Replayed"] == "true"
    assert len(executions) == 1


@pytest.mark.urls(__name__)
def test_a_server_error_is_not_stored_so_the_client_may_retry(client):
    first = _post(client, url="/api/v1/test/crash")
    second = _post(client, url="/api/v1/test/crash")

    assert first.status_code == second.status_code == 503
    assert "Idempotent-Replayed" not in second
    assert len(executions) == 2
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.urls(__name__)
def test_a_repeat_while_the_first_is_still_running_is_a_409(client):
    body = json.dumps({"name": "申请"}).encode()
    IdempotencyRecord.objects.create(
        owner="addr:127.0.0.1",
        key="key-1",
        method="POST",
        path="/api/v1/test/things",
        request_hash=hashlib.sha256(b"POST /api/v1/test/things\n" + body).hexdigest(),
        created_at=clock.now(),
    )

    _problem(_post(client), 409, "idempotency_in_progress")
    assert executions == []


@pytest.mark.urls(__name__)
def test_an_expired_key_may_be_used_again(client, settings):
    _post(client)
    IdempotencyRecord.objects.update(
        created_at=clock.now() - dt.timedelta(hours=settings.TONGBAN_IDEMPOTENCY_TTL_HOURS + 1)
    )

    response = _post(client, body={"name": "新的申请"})

    assert response.status_code == 201
    assert len(executions) == 2
    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.urls(__name__)
def test_the_key_is_ignored_outside_the_api(client):
    _post(client, url="/elsewhere/things")
    _post(client, url="/elsewhere/things")

    assert len(executions) == 2
    assert IdempotencyRecord.objects.count() == 0


def test_a_405_from_the_real_api_is_stored_and_replayed(client):
    first = _post(client, url="/api/v1/calendar/days/2026-10-01")
    second = _post(client, url="/api/v1/calendar/days/2026-10-01")

    _problem(first, 405, "method_not_allowed")
    _problem(second, 405, "method_not_allowed")
    assert second["Idempotent-Replayed"] == "true"


# --- Security headers -------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/api/v1/calendar/days/2026-10-01", "/api/v1/nope"])
def test_pages_and_api_answers_carry_the_security_headers(client, url):
    response = client.get(url)

    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "object-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


# --- Cursor pagination ------------------------------------------------------------------


@pytest.fixture
def days():
    # Dates out of insertion order, so that ordering by date is not ordering by id.
    dates = [dt.date(2030, 1, 1) + dt.timedelta(days=(i * 7) % 23) for i in range(23)]
    return [
        CalendarOverride.objects.create(date=d, working=False, name=str(i), updated_at=T0)
        for i, d in enumerate(dates)
    ]


def _all_pages(ordering, limit, *, on_page=None):
    seen, cursor, pages = [], None, 0
    while True:
        page = paginate(
            CalendarOverride.objects.all(), ordering=ordering, cursor=cursor, limit=limit
        )
        seen.extend(page.items)
        pages += 1
        if on_page:
            on_page(pages)
        if page.next_cursor is None:
            return seen, pages
        cursor = page.next_cursor


@pytest.mark.parametrize("limit", [1, 5, 22, 23, 24])
def test_pages_cover_every_row_once_in_order(days, limit):
    seen, pages = _all_pages(("date", "id"), limit)

    assert [r.pk for r in seen] == [r.pk for r in sorted(days, key=lambda r: r.date)]
    assert pages == -(-23 // limit)


def test_descending_pages_cover_every_row_once_in_reverse_order(days):
    seen, _ = _all_pages(("-date", "id"), 4)

    assert [r.date for r in seen] == sorted((r.date for r in days), reverse=True)


def test_pages_with_a_repeated_sort_key_use_the_tie_breaker(days):
    seen, _ = _all_pages(("working", "-id"), 5)

    assert [r.pk for r in seen] == sorted((r.pk for r in days), reverse=True)


def test_a_row_inserted_before_the_cursor_does_not_shift_the_next_page(days):
    first = paginate(CalendarOverride.objects.all(), ordering=("date", "id"), cursor=None, limit=5)
    CalendarOverride.objects.create(date=dt.date(2029, 1, 1), working=False, updated_at=T0)

    second = paginate(
        CalendarOverride.objects.all(), ordering=("date", "id"), cursor=first.next_cursor, limit=5
    )

    assert second.items[0].date > first.items[-1].date
    assert not {r.pk for r in first.items} & {r.pk for r in second.items}


def test_each_page_is_one_query(days, django_assert_num_queries):
    page = paginate(CalendarOverride.objects.all(), ordering=("date", "id"), cursor=None, limit=5)

    with django_assert_num_queries(1):
        paginate(
            CalendarOverride.objects.all(),
            ordering=("date", "id"),
            cursor=page.next_cursor,
            limit=5,
        )


def test_the_limit_is_clamped(days):
    assert (
        len(paginate(CalendarOverride.objects.all(), ordering=("id",), cursor=None, limit=0).items)
        == 1
    )
    for i in range(MAX_LIMIT):
        CalendarOverride.objects.create(
            date=dt.date(2040, 1, 1) + dt.timedelta(days=i), working=True, updated_at=T0
        )
    page = paginate(CalendarOverride.objects.all(), ordering=("id",), cursor=None, limit=10_000)
    assert len(page.items) == MAX_LIMIT
    assert page.next_cursor is not None


def _b64(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!!",
        "abc",
        "游标",
        _b64({"date": "2030-01-01"}),  # not a list
        _b64(["2030-01-01"]),  # wrong width
        _b64(["2030-01-01", 1, 2]),
        _b64(["garbage", 1]),  # right width, values of the wrong type
        _b64(["2030-01-02", "x"]),
        _b64([{"a": 1}, 1]),
        _b64([None, None]),
    ],
    ids=repr,
)
def test_a_garbage_cursor_is_invalid_cursor(days, cursor):
    with pytest.raises(DomainError) as exc:
        paginate(CalendarOverride.objects.all(), ordering=("date", "id"), cursor=cursor, limit=5)

    assert exc.value.code == "invalid_cursor"
    assert exc.value.status == 400


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", "/api/v1/calendar/days/2026-10-01?x=%00", None),
        ("get", "/api/v1/catalog/items?q=a%00b", None),
        ("post", "/api/v1/identity/login", '{"username": "a\\u0000", "password": "x"}'),
    ],
)
def test_a_nul_character_anywhere_is_a_400_problem_not_a_500(client, method, url, body):
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, data=body, content_type="application/json")
    _problem(response, 400, "malformed_request")


def test_a_nul_character_in_a_page_form_is_a_plain_400(client):
    response = client.get("/calendar/?month=2026-10%00")
    assert response.status_code == 400


def test_a_body_over_the_limit_is_a_413_problem(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post(
        "/api/v1/identity/login", data="x" * 4096, content_type="application/json"
    )
    _problem(response, 413, "request_too_large")
