"""Single sign-on in real Chromium: a department's own system (the reference
WSGI app in ``examples/``, started here on a port of its own) logs a citizen in
through Tongban and out again; a third-party client's consent page on a phone
in large-text mode, axe-core clean.

Run with ``pytest -m browser -p no:xdist``.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.conf import settings

from tongban.sso.services import client_register
from tongban.sso.tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
EXAMPLE = Path(settings.BASE_DIR) / "examples" / "sso_department_app.py"


def _load_example() -> Any:
    spec = importlib.util.spec_from_file_location("sso_department_app", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def department_system(live_server: Any, transactional_db: None) -> Iterator[Any]:
    """The demo 不动产登记 system on its own port, registered as a first-party client."""
    apps: list[Any] = []
    server = make_server("127.0.0.1", 0, lambda e, s: apps[0](e, s), handler_class=_Quiet)
    base = f"http://127.0.0.1:{server.server_port}"
    client, secret = client_register(
        name="不动产登记业务系统",
        redirect_uris=f"{base}/callback",
        post_logout_redirect_uris=f"{base}/",
        first_party=True,
    )
    app = _load_example().DepartmentApp(
        issuer=live_server.url, client_id=client.client_id, client_secret=secret, base_url=base
    )
    apps.append(app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app
    server.shutdown()
    server.server_close()


def assert_accessible(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    blocking = [
        v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}
    ]
    assert not blocking, [(v["id"], v["help"]) for v in blocking]


def log_in_on_tongban(page: Any, username: str) -> None:
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()


def test_a_citizen_logs_in_to_the_department_system_through_tongban_and_out(
    browser, department_system, live_server, citizen
):
    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    blocked: list[str] = []
    page.on(
        "console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None
    )

    page.goto(department_system.base_url + "/")
    page.get_by_role("link", name="通过通办登录").click()
    page.wait_for_load_state()
    assert page.url.startswith(live_server.url + "/login/")
    assert_accessible(page)
    log_in_on_tongban(page, citizen.username)

    # A department's own system: no consent page, straight back with a code.
    page.wait_for_url(department_system.base_url + "/")
    assert page.locator("[data-user]").inner_text() == "您好，张伟"
    assert page.get_by_text("实名等级：1").is_visible()
    assert page.get_by_text(f"身份号码：{citizen.person.id_number_masked}").is_visible()
    assert not blocked, blocked

    page.get_by_role("link", name="退出登录").click()
    page.wait_for_url(department_system.base_url + "/")
    assert page.get_by_role("link", name="通过通办登录").is_visible()
    # Logged out of Tongban too: its home page offers the login again.
    page.goto(live_server.url + "/")
    assert (
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="登录").is_visible()
    )
    context.close()


def test_the_consent_page_of_a_third_party_fits_a_phone_in_large_text(
    browser, live_server, citizen
):
    from authlib.common.security import generate_token
    from authlib.integrations.requests_client import OAuth2Session

    client, _ = client_register(name="某第三方服务平台", redirect_uris="http://127.0.0.1:9/cb")
    uri, _ = OAuth2Session(
        client.client_id,
        scope="openid profile realname business",
        redirect_uri="http://127.0.0.1:9/cb",
        code_challenge_method="S256",
    ).create_authorization_url(
        live_server.url + "/oidc/authorize/", code_verifier=generate_token(48)
    )
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.add_cookies([{"name": "tb_large_text", "value": "1", "url": live_server.url}])
    page = context.new_page()
    page.goto(uri)
    log_in_on_tongban(page, citizen.username)
    assert page.get_by_role("heading", name="授权确认").is_visible()
    assert page.get_by_text("某第三方服务平台").is_visible()
    assert page.get_by_text("可代表办事的企业").is_visible()
    assert page.locator("html").get_attribute("class") == "large-text"
    assert not page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    assert_accessible(page)
    with page.expect_request(lambda r: r.url.startswith("http://127.0.0.1:9/cb")) as sent:
        page.get_by_role("button", name="同意并登录").click()
    assert "code=" in sent.value.url
    context.close()
