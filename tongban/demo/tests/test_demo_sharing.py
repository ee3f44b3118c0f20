"""The demo's sharing: 两个免于提交 works for the demo accounts at the demo departments."""

import pytest
from django.core.management import call_command

from tongban.catalog.models import ServiceItem
from tongban.identity.models import LegalEntity, Person
from tongban.org.models import Department
from tongban.sharing.models import AccessGrant, GrantStatus
from tongban.sharing.services import sharing_lookup_for_material


@pytest.mark.django_db(transaction=True)
def test_demo_departments_can_look_up_the_materials_their_guides_name():
    call_command("demo", "load")
    zhang_wei = Person.objects.get(name="张伟")
    police = Department.objects.get(name="南京市公安局")
    assert ServiceItem.objects.filter(department=police).exists()
    # 出生登记 at 南京市公安局 asks for 居民户口簿 and 出生医学证明 (张伟 is a father).
    for hint in ("居民户口簿", "出生医学证明", "居民身份证"):
        found = sharing_lookup_for_material(
            material_source_hint=hint, department=police, case_no="demo",
            applicant_person=zhang_wei,
        )  # fmt: skip
        assert found.found, (hint, found.reason)
    shop = LegalEntity.objects.get(name="南京秦淮味道餐饮管理有限公司")
    market = Department.objects.get(name="南京市市场监督管理局")
    licence = sharing_lookup_for_material(
        material_source_hint="营业执照", department=market, case_no="demo", applicant_entity=shop
    )
    assert licence.found and licence.source == "sharing"
    # One application waits for 江苏省民政厅, one was refused by 江苏省自然资源厅.
    others = AccessGrant.objects.exclude(status=GrantStatus.APPROVED)
    assert set(others.values_list("resource__provider__name", "status")) == {
        ("江苏省自然资源厅", "refused"),
        ("江苏省民政厅", "requested"),
    }
