"""告知承诺核查 in real Chromium on a 375 px phone, normal and large text (issue 17):
a reviewer finds the open check from the workbench's credit navigation, records
承诺不实, and the entity's public credit page then shows the 告知承诺失信名单 entry
and class D. No sideways scroll; axe-core finds nothing serious or critical.
Run with ``pytest -m browser -p no:xdist``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.cases.models import PostCheck
from tongban.core import clock
from tongban.workbench.tests.post_check_fixtures import post_check_world
from tongban.workbench.tests.test_browser_credit_pages import PHONE_375, fits_and_passes, log_in

pytestmark = pytest.mark.browser
T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large_text"])
def test_a_reviewer_records_a_failed_post_check_and_the_credit_record_appears(
    new_page, live_server, monkeypatch, large
):
    monkeypatch.setattr(clock, "now", lambda: T0)
    phone = new_page(PHONE_375)  # the browser first: seeding needs its async-unsafe switch
    phone.set_default_timeout(60_000)
    world = post_check_world()
    (case,) = world.grant()
    suffix = "large" if large else "normal"
    if large:
        phone.context.add_cookies([{"name": "tb_large_text", "value": "1", "url": live_server.url}])
    log_in(phone, "market_reviewer")
    phone.goto("/workbench/")
    phone.get_by_role("link", name="告知承诺核查（待核查办件、记录核查结果）").click()
    phone.wait_for_load_state()
    fits_and_passes(phone, f"post-checks-{suffix}")
    row = phone.locator("[data-post-check]").filter(has_text=case.case_no)
    assert row.get_by_text("南京承诺餐饮有限公司").is_visible()
    # Submitted without a result: the Chinese error, nothing recorded.
    row.get_by_label("核查情况").fill("现场核查：经营场所与承诺不符")
    row.get_by_role("button", name="记录核查结果").click()
    phone.wait_for_load_state()
    assert phone.get_by_text("请选择核查结果。").first.is_visible()
    assert PostCheck.objects.get(case=case).status == "open"
    fits_and_passes(phone, f"post-checks-error-{suffix}")
    row = phone.locator("[data-post-check]").filter(has_text=case.case_no)
    row.get_by_label("承诺不实（记入申请人信用记录）").check()
    row.get_by_label("核查情况").fill("现场核查：经营场所与承诺不符")
    row.get_by_role("button", name="记录核查结果").click()
    phone.wait_for_load_state()
    assert phone.get_by_text(f"已记录办件 {case.case_no} 的核查结果：承诺不实。").is_visible()
    assert PostCheck.objects.get(case=case).status == "failed"
    fits_and_passes(phone, f"post-checks-recorded-{suffix}")

    phone.goto(f"/credit/?code={world.entity.credit_code}")
    phone.wait_for_load_state()
    assert phone.get_by_text("告知承诺失信名单").first.is_visible()
    assert phone.locator('[data-field="credit-class"]').inner_text().startswith("D 级")
    assert phone.get_by_text("严重失信 1 条").first.is_visible()
    fits_and_passes(phone, f"post-checks-credit-{suffix}")
