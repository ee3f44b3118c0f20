"""两个免于提交 on the application form, in real Chromium on a phone (issue 10 #5).

A business holding its 营业执照, whose 法定代表人 holds a 居民身份证, opens the
form: both show as provided with the registry they came from and no upload;
the same person applying for himself holds no licence and is asked to upload
it, with the reason. axe-core finds nothing serious or critical. Run with
``pytest -m browser -p no:xdist``.
"""

from __future__ import annotations

import pytest

from tests.support.exemptions import exemption_world
from tongban.identity.demo import DEMO_BUSINESS_PASSWORD
from tongban.portal.tests.test_browser import PHONE, assert_accessible, has_horizontal_scroll

pytestmark = pytest.mark.browser


def _log_in(page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码", exact=True).fill(DEMO_BUSINESS_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()


def test_the_form_shows_what_the_registries_hold_and_asks_for_the_rest(new_page):
    phone = new_page(PHONE)  # the browser first: seeding needs its async-unsafe switch
    world = exemption_world()
    apply = f"/services/{world['item'].implementation_code}/apply/?q_q1=no"

    _log_in(phone, "biz1")
    phone.goto(apply)
    licence = phone.locator("[data-exempt=licence]")
    assert licence.is_visible() and "免提交" in licence.inner_text()
    assert phone.get_by_text("市场主体登记信息", exact=False).first.is_visible()
    assert phone.locator("[data-exempt=id_card]").is_visible()
    assert phone.locator("input[name=m_licence]").count() == 0
    assert not has_horizontal_scroll(phone)
    assert_accessible(phone)

    person = new_page(PHONE)
    _log_in(person, "citizen1")
    person.goto(apply)
    reason = person.locator("[data-not-found=licence]")
    assert "只能为法人或其他组织核验" in reason.inner_text()
    assert person.get_by_label("上传“营业执照”").is_visible()
    assert person.locator("[data-exempt=id_card]").is_visible()
    assert_accessible(person)
