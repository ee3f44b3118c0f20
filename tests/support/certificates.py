"""A wallet seed shared by the portal and workbench certificate tests (which
the layer contract keeps apart)."""

from __future__ import annotations

import datetime as dt

from tests.support.cases import PASSWORD, id_number
from tongban.certificates.demo import demo_certificate_types_load, demo_proof_items_load
from tongban.certificates.services import certificate_issue
from tongban.core.identifiers import generate_credit_code
from tongban.identity import services as identity_services
from tongban.identity.models import AuthorizationRole
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, Role
from tongban.org.services import staff_assign
from tongban.sharing.demo import demo_business_registered


def make_wallet_seed():
    """Two citizens, a business account, a 居民户口簿 and a 营业执照, a clerk."""
    demo_org_load()
    demo_certificate_types_load()
    demo_proof_items_load()
    citizen = identity_services.citizen_signup(
        phone="13800000001",
        password=PASSWORD,
        name="张三",
        id_number=id_number("32010219900101123"),
        username="zhangsan",
    )
    other = identity_services.citizen_signup(
        phone="13800000002",
        password=PASSWORD,
        name="李四",
        id_number=id_number("32010219910202234"),
        username="lisi",
    )
    entity = identity_services.legal_entity_register(
        credit_code=generate_credit_code("9132010070000001"),
        name="南京通办信息科技有限公司",
        legal_representative=citizen.person,  # type: ignore[arg-type]  # a citizen has one
    )
    demo_business_registered(entity)  # every authorization is checked against the 法人库
    business = identity_services.business_account_create(
        username="biz1",
        password=PASSWORD,
        person=citizen.person,  # type: ignore[arg-type]  # a citizen has one
        legal_entity=entity,
        role=AuthorizationRole.LEGAL_REPRESENTATIVE,
    )
    police = Department.objects.get(name="南京市公安局")
    market = Department.objects.get(name="南京市市场监督管理局")
    hukou = certificate_issue(
        certificate_type="居民户口簿",
        holder_person=citizen.person,
        face={"household_no": "320102001"},
        issuing_department=police,
        valid_from=dt.date(2024, 1, 2),
    )
    licence = certificate_issue(
        certificate_type="营业执照",
        holder_entity=entity,
        face={"entity_type": "有限责任公司"},
        issuing_department=market,
        valid_from=dt.date(2024, 1, 2),
    )
    clerk = identity_services.staff_account_create(
        username="nj_clerk", display_name="宁窗口", password=PASSWORD
    )
    staff_assign(
        user_id=clerk.pk, role=Role.WINDOW_CLERK, department=market, region_scope=market.region
    )
    return {
        "citizen": citizen,
        "other": other,
        "business": business,
        "hukou": hukou,
        "licence": licence,
        "market": market,
        "clerk": clerk,
    }
