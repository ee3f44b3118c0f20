"""The one If-Match reader (core.api.if_match), alone and behind the middleware."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as real_urlpatterns
from tongban.core.api.if_match import if_match_version
from tongban.core.api.problems import problem_from_domain
from tongban.core.errors import DomainError

PROBLEM = "application/problem+json"


def _refusal(header: str | None, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        if_match_version(header, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("header", "version"),
    [
        ('"3"', 3),
        ("3", 3),  # the bare number, as clients that drop the quotes send it
        ('  "17"  ', 17),
        ('"0"', 0),
        ('"999999999"', 999999999),
        ('W/"2", "5"', 5),  # a weak tag beside the strong one is dropped
        ('"5", W/"2"', 5),
    ],
)
def test_a_good_if_match_names_the_version(header, version):
    assert if_match_version(header) == version
    assert if_match_version(header, required=True) == version


@pytest.mark.parametrize("header", [None, "", "   "])
def test_a_missing_if_match_is_none_when_optional(header):
    assert if_match_version(header) is None


@pytest.mark.parametrize("header", [None, "", "   "])
def test_a_missing_if_match_is_428_when_required(header):
    refusal = _refusal(header, what="办件版本号", required=True, action="办理办件")
    assert (refusal.error.code, refusal.error.status) == ("if_match_required", 428)
    assert refusal.detail.startswith("办理办件须在 If-Match 头中带上办件版本号")


@pytest.mark.parametrize("header", ['W/"3"', 'W/"3", W/"4"'])
def test_weak_tags_alone_never_match(header):
    refusal = _refusal(header, required=True)
    assert (refusal.error.code, refusal.error.status) == ("version_mismatch", 412)
    assert "弱校验" in refusal.detail


@pytest.mark.parametrize(
    "header",
    [
        "*",  # any version: a command must name the one it read
        '"3", "4"',  # which one?
        '"3',
        '3"',
        "'3'",
        '"v3"',
        "v1",
        '"-1"',
        '"1234567890"',  # more than nine digits
        "3 4",
        '"3" garbage',
        'w/"3"',  # the weak prefix is case-sensitive
        '""',
    ],
)
def test_a_malformed_if_match_is_400_with_a_chinese_detail(header):
    refusal = _refusal(header, what="工单版本号", required=True)
    assert (refusal.error.code, refusal.error.status) == ("malformed_request", 400)
    assert refusal.detail == 'If-Match 须为工单版本号，如 "3"（取自 ETag）。'


# --- behind the real middleware stack --------------------------------------------


@csrf_exempt
def command(request: HttpRequest) -> HttpResponse:
    try:
        version = if_match_version(request.headers.get("If-Match"), required=True)
    except DomainError as exc:
        return problem_from_domain(exc)
    return JsonResponse({"version": version})


urlpatterns = [path("api/v1/test/if-match", command), *real_urlpatterns]


def _post(client, header: str | None) -> Any:
    extra = {} if header is None else {"HTTP_IF_MATCH": header}
    return client.post("/api/v1/test/if-match", {}, content_type="application/json", **extra)


@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("header", "status", "code"),
    [
        ('"4"', 200, None),
        ('W/"3", "4"', 200, None),
        ('W/"4"', 412, "version_mismatch"),
        (None, 428, "if_match_required"),
        ("*", 400, "malformed_request"),
        ('"3", "4"', 400, "malformed_request"),
        ("garbage", 400, "malformed_request"),
    ],
)
def test_the_middleware_and_the_reader_agree(client, header, status, code):
    response = _post(client, header)
    assert response.status_code == status
    if code is None:
        assert response.json() == {"version": 4}
    else:
        assert response["Content-Type"].startswith(PROBLEM)
        assert response.json()["code"] == code
