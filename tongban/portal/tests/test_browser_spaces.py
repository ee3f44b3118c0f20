"""个人空间 and 企业空间 in real Chromium at phone width, in normal and large
text (issue 14, item 3): nothing scrolls sideways and axe-core finds nothing
serious or critical. The legal representative revokes an agent from the phone
and the agent loses the business space at once.
Run with ``pytest -m browser -p no:xdist``.
"""

from __future__ import annotations

import pytest

from tongban.portal.tests.test_browser import (
    PHONE,
    assert_accessible,
    has_horizontal_scroll,
    root_font_px,
    screenshot,
)
from tongban.spaces.tests.conftest import PASSWORD, build_space

pytestmark = pytest.mark.browser


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()


def fits_and_passes(page, name: str) -> None:
    assert not has_horizontal_scroll(page), f"{page.url} scrolls sideways"
    screenshot(page, name)
    assert_accessible(page)


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large_text"])
def test_the_spaces_fit_a_phone_and_pass_axe(new_page, live_server, large):
    phone = new_page(PHONE)  # the browser first: seeding needs its async-unsafe switch
    space = build_space()
    assert space.boss.person is not None and space.citizen.person is not None
    space.submit(person=space.boss.person, entity=space.company, by=space.boss)
    space.submit(person=space.citizen.person, by=space.citizen)
    if large:
        phone.context.add_cookies([{"name": "tb_large_text", "value": "1", "url": live_server.url}])
    suffix = "large" if large else "normal"

    log_in(phone, space.citizen.username)
    normal_px = 16.0
    phone.goto("/my/")
    if large:
        assert root_font_px(phone) > normal_px
    assert phone.locator("[data-case]").count() == 1
    fits_and_passes(phone, f"space-personal-phone-{suffix}")
    phone.get_by_role("link", name="消息中心").first.click()
    phone.wait_for_load_state()
    fits_and_passes(phone, f"space-inbox-phone-{suffix}")
    phone.get_by_role("link", name="通知方式（短信、邮件）").click()
    phone.wait_for_load_state()
    fits_and_passes(phone, f"space-notification-settings-phone-{suffix}")
    phone.get_by_role("link", name="我的空间").first.click()
    phone.wait_for_load_state()
    phone.locator("a[href='/my/real-name/']").click()
    phone.wait_for_load_state()
    fits_and_passes(phone, f"space-real-name-phone-{suffix}")

    boss = new_page(PHONE)
    if large:
        boss.context.add_cookies([{"name": "tb_large_text", "value": "1", "url": live_server.url}])
    log_in(boss, space.boss.username)
    boss.goto("/my/")
    assert boss.locator("[data-bind-form]").count() == 1
    fits_and_passes(boss, f"space-business-account-phone-{suffix}")
    boss.get_by_role("link", name=space.company.name).click()
    boss.wait_for_load_state()
    assert boss.locator("[data-case]").count() >= 1
    assert boss.locator("[data-authorization]").count() == 2
    fits_and_passes(boss, f"space-business-phone-{suffix}")


def test_the_representative_revokes_an_agent_from_a_phone_and_it_takes_effect_at_once(
    new_page, live_server
):
    boss = new_page(PHONE)
    space = build_space()
    agent = new_page(PHONE)
    log_in(agent, space.agent.username)
    agent.goto(f"/my/business/{space.company.credit_code}/")
    assert agent.get_by_role("heading", name=space.company.name, level=1).is_visible()

    log_in(boss, space.boss.username)
    boss.goto(f"/my/business/{space.company.credit_code}/")
    row = boss.locator("[data-authorization]").filter(has_text="经办人")
    row.get_by_role("button", name="撤销").click()
    boss.wait_for_load_state()
    assert "已撤销授权，立即生效" in boss.locator(".messages").inner_text()
    fits_and_passes(boss, "space-business-revoked-phone")

    response = agent.goto(f"/my/business/{space.company.credit_code}/")
    assert response is not None and response.status == 404
