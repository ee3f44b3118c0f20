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


def grant_and_email(space) -> None:
    """A 免申即享 policy granted to the company (recorded as a case), and an
    e-mail to the citizen's notification address with its SMS copy."""
    import datetime as dt
    from decimal import Decimal

    from tongban.cases.services.policy_grants import case_record_policy_grant
    from tongban.core.notifications import notification_send
    from tongban.inbox.services import notification_preferences_set
    from tongban.policies.services import (
        business_classification_put,
        policy_create,
        policy_match_run,
        policy_publish,
    )
    from tongban.sharing.services.registries import business_put

    code = space.company.credit_code
    business_put(
        credit_code=code, name=space.company.name, kind="有限责任公司",
        legal_representative=None, legal_representative_name="张伟",
        established_on=dt.date(2020, 5, 1), registered_capital=Decimal("50.00"),
        business_scope="餐饮服务", address="南京市玄武区",
        registration_authority="南京市市场监督管理局",
    )  # fmt: skip
    business_classification_put(
        credit_code=code, industry_code="H6210", size_class="micro", credit_class="A"
    )
    policy = policy_create(
        title="小微企业稳岗补贴", issuer="南京市人民政府", document_no="宁政发〔2026〕3号",
        valid_from=dt.date(2020, 1, 1), benefits="每户一次性补贴 5000 元",
        rules_raw={"size": ["micro"], "region": ["3201"]}, automatic=True,
        service_item=space.item,
    )  # fmt: skip
    assert policy_match_run(policy=policy_publish(policy=policy)) == 1
    assert case_record_policy_grant(policy_id=policy.pk, credit_code=code) is not None
    notification_preferences_set(
        user=space.citizen, choices={"other": {"sms": True, "email": True}}, email="wf@example.com"
    )
    notification_send(
        channel="email", recipient="wf@example.com", subject="【通办】证照到期提醒",
        body="您的营业执照将于 30 日后到期。", purpose="certificate.expiring",
        object_type="certificate", object_id="demo-1",
    )  # fmt: skip


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
    grant_and_email(space)
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
    assert phone.locator("[data-copy='sms']").count() == 1  # the e-mail's SMS copy
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
    assert boss.locator("[data-grant-case] a").count() == 1  # 免申即享, recorded as a case
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
