"""A world for 两个免于提交 (issue 10 #5), shared by the cases API tests and the
portal's application form tests (which the layer contract keeps apart).

The demo registries, grants for 南京市市场监督管理局 to read 人口基础信息 and
市场主体登记信息, an item asking for 营业执照 and 居民身份证 as government-issued
materials, and a window clerk. The demo accounts: ``biz1`` acts for
南京通办信息科技有限公司 (holds both); ``citizen1`` holds no 营业执照.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.support.accounts import demo_people_load
from tongban.catalog.services import basic_item_create, guide_load_published
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.identity.services import staff_account_create
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, Role
from tongban.org.services import staff_assign
from tongban.sharing.demo import demo_sharing_load
from tongban.sharing.models import DataResource
from tongban.sharing.services import access_grant_approve, access_grant_request

# Mon 2 Nov 2026, 10:00 in Shanghai.
T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)


def exemption_world() -> dict[str, Any]:
    """Seed the world (inside the caller's transaction); returns the item and clerk."""
    demo_org_load()
    demo_people_load()
    demo_sharing_load(now=T0)
    market = Department.objects.get(name="南京市市场监督管理局")
    for code, fields in (("JS-GA-RK-001", ["name"]), ("JS-SJ-SCZT-001", ["name", "status"])):
        resource = DataResource.objects.get(code=code)
        if resource.sharing_type == "unconditional":
            continue  # 无条件共享: no application needed
        grant = access_grant_request(
            resource=resource, consumer_department=market, purpose="办理食品经营许可时核验",
            legal_basis="《食品经营许可和备案管理办法》", field_codes=fields, now=T0,
        )  # fmt: skip
        access_grant_approve(grant=grant, field_codes=fields, valid_until=dt.date(2027, 12, 31))
    basic = basic_item_create(
        code="010000000177", name="食品经营许可证核发（免提交）", item_type="01",
        legal_basis="《中华人民共和国食品安全法》第三十五条", levels="234",
    )  # fmt: skip
    materials = [
        {"code": "application", "name": "食品经营许可申请书", "media": "either"},
        {"code": "licence", "name": "营业执照", "source": "government",
         "certificate_type": "营业执照", "exempt": True},
        {"code": "id_card", "name": "法定代表人居民身份证", "source": "government",
         "certificate_type": "居民身份证", "exempt": True},
    ]  # fmt: skip
    item = guide_load_published(
        basic_item=basic,
        department=market,
        content=valid_guide(
            name=basic.name,
            audience=["person", "legal_entity"],
            materials=materials,
            form=[{"code": "applicant_name", "label": "申请人名称", "required": False}],
        ),
    )
    clerk = staff_account_create(username="ex_clerk", display_name="窗口", password="Pw-12345678")
    staff_assign(user_id=clerk.pk, role=Role.WINDOW_CLERK, department=market,
                 region_scope=market.region)  # fmt: skip
    return {"item": item, "clerk": clerk}
