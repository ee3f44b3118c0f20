"""The clerk opens a material the 电子证照库 provided at intake (issue 10 #5).

A business holding a 食品经营许可证 applies for an item that asks for it: the
material is provided from the certificate, the case page links to it, opening
it logs a read against the case (the holder sees it), and a material that did
not come from a certificate has nothing to open.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from tests.support.accounts import demo_people_load
from tests.support.exemptions import T0
from tongban.cases.models import MaterialKind
from tongban.cases.services import case_submit
from tongban.cases.services.intake import MaterialInput
from tongban.catalog.services import basic_item_create, guide_load_published
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.certificates.demo import demo_certificate_types_load
from tongban.certificates.models import CertificateAccess
from tongban.certificates.services import certificate_issue
from tongban.core import clock
from tongban.identity.models import LegalEntity, User
from tongban.identity.services import staff_account_create
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, Role
from tongban.org.services import staff_assign
from tongban.sharing.demo import demo_sharing_load
from tongban.sharing.models import DataResource
from tongban.sharing.services import access_grant_approve, access_grant_request

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4 test"


@pytest.fixture
def world(settings: Any, monkeypatch: Any) -> dict[str, Any]:
    settings.TONGBAN_CERTIFICATE_SEAL_PDF = False
    monkeypatch.setattr(clock, "now", lambda: T0)
    demo_org_load()
    demo_people_load()
    demo_sharing_load(now=T0)
    demo_certificate_types_load()
    market = Department.objects.get(name="南京市市场监督管理局")
    resource = DataResource.objects.get(code="JS-ZW-DZZZ-001")
    fields = ["holding", "identifier"]
    grant = access_grant_request(
        resource=resource, consumer_department=market, purpose="办理食品经营许可时核验持证",
        legal_basis="《国务院关于在线政务服务的若干规定》", field_codes=fields, now=T0,
    )  # fmt: skip
    access_grant_approve(grant=grant, field_codes=fields, valid_until=dt.date(2027, 12, 31))
    entity = LegalEntity.objects.get(name="南京通办信息科技有限公司")
    certificate = certificate_issue(
        certificate_type="食品经营许可证",
        holder_entity=entity,
        face={"permitted_items": "预包装食品销售"},
        issuing_department=market,
        valid_from=dt.date(2024, 1, 2),
    )
    basic = basic_item_create(
        code="010000000178", name="食品经营许可证变更", item_type="01",
        legal_basis="《中华人民共和国食品安全法》第三十五条", levels="234",
    )  # fmt: skip
    item = guide_load_published(
        basic_item=basic,
        department=market,
        content=valid_guide(
            name=basic.name,
            audience=["legal_entity"],
            materials=[
                {"code": "application", "name": "变更申请书", "media": "either"},
                {
                    "code": "food_licence",
                    "name": "食品经营许可证",
                    "source": "government",
                    "certificate_type": "食品经营许可证",
                    "exempt": True,
                },
            ],
            form=[{"code": "applicant_name", "label": "申请人名称", "required": False}],
        ),
    )
    clerk = staff_account_create(username="ec_clerk", display_name="窗口", password="Pw-12345678")
    staff_assign(user_id=clerk.pk, role=Role.WINDOW_CLERK, department=market,
                 region_scope=market.region)  # fmt: skip
    case = case_submit(
        service_item=item,
        channel="online",
        applicant_entity=entity,
        agent_person=entity.legal_representative,
        form_data={},
        materials=[MaterialInput(code="application", kind="upload", content=PDF)],
        submitted_by=User.objects.get(username="biz1"),
        now=T0,
    )
    return {"case": case, "clerk": clerk, "certificate": certificate}


def test_the_clerk_opens_the_certificate_and_the_read_is_logged_against_the_case(client, world):
    case, certificate = world["case"], world["certificate"]
    kinds = dict(case.materials.values_list("code", "kind"))
    assert kinds["food_licence"] == MaterialKind.GOVERNMENT_DATA
    [record] = [e for e in case.exemptions if e["code"] == "food_licence"]
    assert record["source"] == "certificates" and record["reference"] == certificate.identifier
    client.force_login(world["clerk"])
    page = client.get(reverse("workbench:case_detail", args=[case.case_no])).content.decode()
    link = reverse("workbench:case_material_certificate", args=[case.case_no, "food_licence"])
    assert link in page and "查看电子证照" in page

    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    read = CertificateAccess.objects.filter(certificate=certificate, case_no=case.case_no)
    assert read.filter(reader=world["clerk"], purpose__contains="查看免提交材料").count() == 1


def test_a_material_not_from_a_certificate_has_nothing_to_open(client, world):
    client.force_login(world["clerk"])
    case = world["case"]
    for code in ("application", "nope"):
        url = reverse("workbench:case_material_certificate", args=[case.case_no, code])
        assert client.get(url).status_code == 404


def test_staff_of_another_department_cannot_open_it(client, world):
    other = staff_account_create(username="gz_clerk", display_name="赣窗口", password="Pw-12345678")
    ganzhou = Department.objects.get(name="赣州市市场监督管理局")
    staff_assign(user_id=other.pk, role=Role.WINDOW_CLERK, department=ganzhou,
                 region_scope=ganzhou.region)  # fmt: skip
    client.force_login(other)
    case = world["case"]
    url = reverse("workbench:case_material_certificate", args=[case.case_no, "food_licence"])
    assert client.get(url).status_code == 404
    assert not CertificateAccess.objects.filter(reader=other).exists()
