"""联合惩戒 at intake in real Chromium on a 360 px phone (issue 17, R-CR-1).

A black-listed business ticks 告知承诺 on the application form and is refused with
the list, the listing department, the basis and the way out (credit repair);
axe-core finds nothing serious or critical. After its repair is approved the same
submission is taken. Run with ``pytest -m browser -p no:xdist``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.accounts import demo_people_load
from tongban.cases.models import Case
from tongban.catalog.services import basic_item_create, guide_load_published
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.core import clock
from tongban.credit.services.lists import list_entry_add
from tongban.credit.services.repairs import repair_apply, repair_review
from tongban.credit.tests.conftest import make_lists
from tongban.identity.demo import DEMO_BUSINESS_PASSWORD
from tongban.identity.models import LegalEntity
from tongban.org.models import Department
from tongban.portal.tests.test_browser import assert_accessible, has_horizontal_scroll

pytestmark = pytest.mark.browser
PHONE_360 = {"width": 360, "height": 780}


def _world():
    lists = make_lists()
    demo_people_load()
    market = Department.objects.get(name="南京市市场监督管理局")
    basic = basic_item_create(
        code="010000000188", name="食品经营许可证核发（告知承诺）", item_type="01",
        legal_basis="《国务院关于深化“证照分离”改革的通知》", levels="234",
    )  # fmt: skip
    item = guide_load_published(
        basic_item=basic,
        department=market,
        content=valid_guide(
            name=basic.name,
            audience=["person", "legal_entity"],
            modes=["one_visit", "commitment"],
            commitment_text="本单位承诺符合食品经营许可条件，承诺不实愿承担法律责任。",
            materials=[{"code": "application", "name": "食品经营许可申请书", "media": "either"}],
            form=[{"code": "applicant_name", "label": "申请人名称", "required": False}],
        ),
    )
    entity = LegalEntity.objects.get(name="南京通办信息科技有限公司")
    entry = list_entry_add(
        list_code=lists.black.code, subject_kind="entity", subject_code=entity.credit_code,
        reason="提交虚假材料取得许可", legal_basis="《行政许可法》第七十九条",
        valid_until=clock.today() + dt.timedelta(days=365), actor=None,
    )  # fmt: skip
    return item, entity, entry


def _submit(phone, apply_url: str, entity: LegalEntity) -> None:
    phone.goto(apply_url)
    phone.get_by_label("申请单位").select_option(value=str(entity.pk))
    phone.get_by_label("本人已阅读并承诺上述内容属实（告知承诺）").check()
    phone.get_by_role("button", name="提交申请").click()
    phone.wait_for_load_state()


def test_a_black_listed_business_is_refused_commitment_with_the_reason_then_taken_after_repair(
    new_page,
):
    phone = new_page(PHONE_360)  # the browser first: seeding needs its async-unsafe switch
    phone.set_default_timeout(60_000)  # a shared, busy machine: the first page warms up
    item, entity, _entry = _world()
    apply_url = f"/services/{item.implementation_code}/apply/?q_q1=no"
    phone.goto("/login/")
    phone.get_by_label("用户名或手机号码").fill("biz1")
    phone.get_by_label("密码", exact=True).fill(DEMO_BUSINESS_PASSWORD)
    phone.get_by_role("button", name="登录", exact=True).click()
    phone.wait_for_load_state()

    _submit(phone, apply_url, entity)
    text = phone.locator("main").inner_text()
    assert "不能办理告知承诺" in text and "严重违法失信名单" in text
    assert "南京市市场监督管理局" in text and "第七十九条" in text
    assert "信用修复" in text  # the way out
    assert not Case.objects.filter(applicant_entity=entity).exists()
    assert not has_horizontal_scroll(phone)
    assert_accessible(phone)

    (repair,) = repair_apply(subject_code=entity.credit_code, reason="已整改", evidence="整改报告")
    repair_review(repair=repair, approve=True, note="整改到位", reviewer=None)
    _submit(phone, apply_url, entity)
    case = Case.objects.get(applicant_entity=entity)
    assert case.commitment is True
    assert case.case_no in phone.locator("main").inner_text()
    assert_accessible(phone)
