"""Issue 9: client address behind trusted proxies, Cache-Control, CSP nonces,
Retry-After on every 429, strong If-Match, the input checks as functions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import checks
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as real_urlpatterns
from tongban.core.middleware.input import json_escape_problem, json_problem, urlencoded_problem
from tongban.core.middleware.preconditions import parse_entity_tags
from tongban.core.middleware.proxies import check_trusted_proxies, client_address_from
from tongban.core.ratelimit import rate_limit_hit

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"
seen: dict[str, str] = {}


def echo_address(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"address": request.META["REMOTE_ADDR"]})


def limited(request: HttpRequest) -> HttpResponse:
    rate_limit_hit(key="test:limited", limit=0, window_seconds=600)
    return HttpResponse("too many", status=429)


def limited_without_a_limiter(request: HttpRequest) -> HttpResponse:
    return HttpResponse("too many", status=429)


def cacheable(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("public")
    response["Cache-Control"] = "public, max-age=300"
    return response


@csrf_exempt
def precondition(request: HttpRequest) -> HttpResponse:
    seen["if_match"] = request.headers.get("If-Match", "")
    return JsonResponse({"ok": True})


urlpatterns = [
    path("test/address", echo_address),
    path("api/v1/test/limited", limited),
    path("test/limited", limited_without_a_limiter),
    path("test/cacheable", cacheable),
    path("api/v1/test/precondition", precondition),
    *real_urlpatterns,
]


# --- client address -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "client"),
    [
        # No proxy configured: the header is the sender's word, ignored.
        ("203.0.113.9", "198.51.100.1", [], "203.0.113.9"),
        # From an untrusted peer, a spoofed header is ignored.
        ("203.0.113.9", "198.51.100.1", ["10.0.0.5"], "203.0.113.9"),
        # Behind the trusted proxy: the address it appended.
        ("10.0.0.5", "198.51.100.1", ["10.0.0.5"], "198.51.100.1"),
        # A client's own forged entry sits left of what the proxy appended.
        ("10.0.0.5", "1.2.3.4, 198.51.100.1", ["10.0.0.5"], "198.51.100.1"),
        # Two trusted hops (a network and an address), read from the right.
        (
            "10.0.0.5",
            "1.2.3.4, 198.51.100.1, 10.1.2.3",
            ["10.0.0.5", "10.1.0.0/16"],
            "198.51.100.1",
        ),
        # Garbage where the client should be: the last hop a proxy vouched for.
        ("10.0.0.5", "not-an-ip", ["10.0.0.5"], "10.0.0.5"),
        ("10.0.0.5", "[2001:db8::7]:443", ["10.0.0.5"], "2001:db8::7"),
        ("10.0.0.5", "", ["10.0.0.5"], "10.0.0.5"),
    ],
)
def test_the_client_address_honours_forwarded_for_only_from_trusted_proxies(
    peer, forwarded, trusted, client
):
    assert client_address_from(peer=peer, forwarded_for=forwarded, trusted=trusted) == client


@pytest.mark.urls(__name__)
def test_a_spoofed_forwarded_for_from_an_untrusted_address_is_ignored(client, settings):
    settings.TONGBAN_TRUSTED_PROXIES = ["10.0.0.5"]
    spoofed = client.get("/test/address", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert spoofed.json()["address"] == "203.0.113.9"
    proxied = client.get("/test/address", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert proxied.json()["address"] == "1.1.1.1"


def test_a_malformed_proxy_setting_is_reported_by_the_system_check(settings):
    settings.TONGBAN_TRUSTED_PROXIES = ["10.0.0.0/8", "proxy.example"]
    problems = check_trusted_proxies()
    assert [p.id for p in problems] == ["tongban.E001"]
    assert isinstance(problems[0], checks.Error)


def test_no_proxy_is_trusted_by_default():
    assert django_settings.TONGBAN_TRUSTED_PROXIES == []


# --- Retry-After ------------------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_every_429_carries_retry_after(client, frozen_clock):
    noted = client.get("/api/v1/test/limited")
    assert noted.status_code == 429
    assert noted["Content-Type"].startswith(PROBLEM)
    assert int(noted["Retry-After"]) == 600  # the whole 10-minute window, at its start
    unnoted = client.get("/test/limited")
    assert unnoted.status_code == 429
    assert unnoted["Retry-After"] == "60"


# --- Cache-Control ----------------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_a_view_may_let_anonymous_answers_be_cached_but_never_with_credentials(client):
    assert client.get("/test/cacheable")["Cache-Control"] == "public, max-age=300"
    with_token = client.get("/test/cacheable", HTTP_AUTHORIZATION="Bearer tb_x")
    assert with_token["Cache-Control"] == "no-store"
    client.cookies[django_settings.SESSION_COOKIE_NAME] = "abc"
    assert client.get("/test/cacheable")["Cache-Control"] == "no-store"


@pytest.mark.parametrize("url", ["/", "/login/", "/api/v1/calendar/days/2026-10-01", "/nope/"])
def test_pages_and_api_answers_are_not_stored_by_default(client, url):
    assert client.get(url)["Cache-Control"] == "no-store"


# --- CSP nonce --------------------------------------------------------------------------


def test_each_page_gets_its_own_nonce_in_the_header_and_on_its_scripts(client):
    first, second = client.get("/"), client.get("/")
    nonces = []
    for response in (first, second):
        found = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
        assert found
        nonce = found.group(1)
        assert f'nonce="{nonce}"' in response.content.decode()
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_no_template_has_an_inline_script_without_the_nonce():
    """An inline script runs only with this request's nonce (no 'unsafe-inline')."""
    roots = [
        Path(django_settings.BASE_DIR) / "templates",
        Path(django_settings.BASE_DIR) / "tongban",
    ]
    offenders = []
    for root in roots:
        for template in root.rglob("*.html"):
            for tag in re.findall(r"<script\b[^>]*>", template.read_text("utf-8")):
                data = re.search(r'type="application/(ld\+)?json"', tag)
                if "src=" not in tag and not data and 'nonce="{{ csp_nonce }}"' not in tag:
                    offenders.append(f"{template}: {tag}")
    assert not offenders, "\n".join(offenders)


# --- strong If-Match --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "tags"),
    [
        ('"3"', [(False, '"3"')]),
        ('W/"3"', [(True, '"3"')]),
        ('W/"3", "4"', [(True, '"3"'), (False, '"4"')]),
        ("3", None),
        ('"3', None),
        ('w/"3"', None),  # the weak prefix is case-sensitive (RFC 9110 §8.8.3)
    ],
)
def test_if_match_lists_are_parsed(header, tags):
    assert parse_entity_tags(header) == tags


@pytest.mark.urls(__name__)
def test_a_weak_tag_never_satisfies_if_match(client):
    seen.clear()
    response = client.post(
        "/api/v1/test/precondition", {}, content_type="application/json", HTTP_IF_MATCH='W/"2"'
    )
    assert response.status_code == 412
    assert response["Content-Type"].startswith(PROBLEM)
    assert response.json()["code"] == "version_mismatch"
    assert "if_match" not in seen


@pytest.mark.urls(__name__)
def test_weak_tags_beside_strong_ones_are_dropped_and_strong_ones_pass(client):
    seen.clear()
    response = client.post(
        "/api/v1/test/precondition",
        {},
        content_type="application/json",
        HTTP_IF_MATCH='W/"1", "2"',
    )
    assert response.status_code == 200
    assert seen["if_match"] == '"2"'


# --- the input checks as functions ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (r'{"a": "\ud800"}', "未配对的代理项 U+D800"),
        (r'{"a": "\udfff x"}', "未配对的代理项 U+DFFF"),
        (r'{"a": "\ud800\ud800"}', "未配对的代理项 U+D800"),
        (r'{"a": "\ud83d\ude00"}', None),
        (r'{"a": "\\ud800"}', None),
        (r'{"a": "\\\ud800"}', "未配对的代理项 U+D800"),
        (r'{"a": "\u001F"}', "控制字符 U+001F"),
        (r'{"a": "\u0009\u000a\u000D\t\n\r"}', None),
        (r'{"a": "\f"}', "控制字符 U+000C"),
        (r'{"a": "\"\/"}', None),
    ],
)
def test_json_escapes_are_checked(text, problem):
    assert json_escape_problem(text) == problem


def test_raw_bytes_are_checked():
    assert json_problem(b'{"a": "\xff"}') == "无效的 UTF-8 字节"
    assert json_problem('{"a": "\u009f"}'.encode()) == "控制字符 U+009F"
    assert urlencoded_problem(b"a=%E4%B8%AD+%E6%96%87&b=%0A") is None
    assert urlencoded_problem(b"a=%00") == "控制字符 U+0000"
