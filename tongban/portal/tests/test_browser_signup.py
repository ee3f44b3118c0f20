"""The two-step sign-up and the strict CSP in real Chromium (``pytest -m browser``).

Phone width, large text and axe-core on both steps (DESIGN §7); every page
runs without a single Content-Security-Policy violation (issue 9, item 12).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.accounts import valid_id_number
from tests.support.sms import last_code
from tongban.core.middleware import csp_for
from tongban.identity.models import User
from tongban.portal.tests.test_browser import (
    PHONE,
    assert_accessible,
    has_horizontal_scroll,
    root_font_px,
    screenshot,
)

pytestmark = pytest.mark.browser


def fill_phone_and_ask(page: Any, phone: str = "13912345678") -> None:
    page.goto("/signup/")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_load_state()


def test_a_citizen_signs_up_in_two_steps_on_a_phone_in_large_text(new_page, live_server, sms):
    page = new_page(PHONE)
    page.context.add_cookies([{"name": "tb_large_text", "value": "1", "url": live_server.url}])
    page.goto("/signup/")
    assert root_font_px(page) >= 20
    assert not has_horizontal_scroll(page)
    assert_accessible(page)
    fill_phone_and_ask(page)
    assert page.url.endswith("/signup/details/")
    assert page.get_by_text("验证码已发送至 139****5678").first.is_visible()
    assert not has_horizontal_scroll(page)
    screenshot(page, "signup-step2-phone-large")
    assert_accessible(page)
    page.get_by_label("短信验证码").fill(last_code())
    page.get_by_label("姓名").fill("王小红")
    page.get_by_label("公民身份号码").fill(valid_id_number())
    page.get_by_label("密码", exact=True).fill("Lantern-river-42")
    page.get_by_label("确认密码").fill("Lantern-river-42")
    page.get_by_role("button", name="注册", exact=True).click()
    page.wait_for_load_state()
    user = User.objects.get(kind="citizen")
    assert page.get_by_text(f"您的用户名是 {user.username}").is_visible()
    assert page.locator("[data-user-name]").inner_text() == "王**"


def test_the_second_step_shows_errors_accessibly(page, sms):
    fill_phone_and_ask(page)
    page.get_by_label("短信验证码").fill("12")
    page.get_by_label("姓名").fill("王小红")
    page.get_by_role("button", name="注册", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("#id_code_error").is_visible()
    assert page.locator("#id_id_number_error").is_visible()
    assert page.get_by_label("姓名").input_value() == "王小红"
    screenshot(page, "signup-errors")
    assert_accessible(page)


def test_a_bad_phone_is_explained_at_its_field(page, sms):
    fill_phone_and_ask(page, "123")
    assert page.locator("#id_phone_error").is_visible()
    assert_accessible(page)


def csp_violations(page: Any) -> list[str]:
    """The CSP violations Chromium reports on ``page`` from now on."""
    found: list[str] = []

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            found.append(message.text)

    page.on("console", on_console)
    return found


@pytest.mark.parametrize(
    "path", ["/", "/login/", "/signup/", "/services/", "/calendar/?month=2026-10", "/api/v1/docs"]
)
def test_pages_run_under_the_csp_without_a_violation(page, path):
    violations = csp_violations(page)
    page.goto(path)
    # The API docs load Swagger UI and the whole OpenAPI document: on a busy
    # machine that takes longer than the default 10 s.
    page.wait_for_load_state("networkidle", timeout=30_000)
    assert not violations, violations


def test_an_inline_script_without_the_nonce_is_blocked(page, live_server):
    """The control for the test above: our policy does block a script without the nonce."""
    violations = csp_violations(page)
    body = (
        "<title>-</title><script nonce='n0nce'>document.title='ok'</script>"
        "<script>document.title='bad'</script>"
    )
    page.route(
        "**/csp-probe",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html", "Content-Security-Policy": csp_for("n0nce")},
            body=body,
        ),
    )
    page.goto(f"{live_server.url}/csp-probe")
    assert page.title() == "ok"
    assert violations
