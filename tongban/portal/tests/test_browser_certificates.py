"""The wallet, a certificate's QR and its verification page in real Chromium.

A citizen opens 电子证照夹 on a phone, opens her 居民户口簿 with its QR code,
authorizes a department; the QR's address verifies as 有效 on the public page,
and after 吊销 as 已吊销; the proof-item list is public. axe-core finds nothing
serious or critical. Run with ``pytest -m browser -p no:xdist``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.certificates import make_wallet_seed
from tongban.certificates.services import certificate_revoke
from tongban.certificates.services.issue import verification_url
from tongban.core import clock
from tongban.portal.tests.test_browser import PHONE, assert_accessible, has_horizontal_scroll
from tongban.portal.tests.test_browser_cases import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(new_page, transactional_db, settings):
    phone = new_page(PHONE)  # the browser first: seeding needs its async-unsafe switch
    settings.TONGBAN_CERTIFICATE_SEAL_PDF = False
    return phone, make_wallet_seed()


def test_wallet_qr_authorization_and_verification(seeded, live_server):
    phone, data = seeded
    hukou = data["hukou"]
    log_in(phone, "zhangsan")
    phone.goto("/my/certificates/")
    assert phone.get_by_role("link", name="居民户口簿").is_visible()
    assert not has_horizontal_scroll(phone)
    assert_accessible(phone)
    phone.get_by_role("link", name="居民户口簿").click()
    phone.wait_for_load_state()
    assert phone.get_by_role("img", name="居民户口簿的核验二维码").is_visible()
    phone.get_by_label("用证部门").select_option(label="南京市市场监督管理局")
    phone.get_by_label("用途").fill("办理食品经营许可")
    until = clock.today() + dt.timedelta(days=30)
    phone.get_by_label("授权截止日期").fill(until.isoformat())
    assert_accessible(phone)
    phone.get_by_role("button", name="授权", exact=True).click()
    phone.wait_for_load_state()
    assert phone.get_by_role("button", name="撤销授权").is_visible()
    url = verification_url(hukou.qr_payload).split("/certificates/verify/")[1]
    phone.goto("/certificates/verify/" + url)
    assert phone.locator("[data-field=status]").inner_text() == "有效"
    assert not has_horizontal_scroll(phone)
    assert_accessible(phone)
    certificate_revoke(certificate_id=hukou.pk, actor=None, reason="测试吊销")
    phone.reload()
    assert phone.locator("[data-field=status]").inner_text() == "已吊销"
    phone.goto("/proof-items/")
    assert phone.get_by_role("heading", name="证明事项清单").is_visible()
    assert_accessible(phone)
