"""Demo sharing catalogue and base registries, consistent with the demo accounts.

The registries hold the demo citizens and businesses of ``identity.demo``
(read, never changed) and a few people without accounts (a child, a former
spouse), so that every verification service has a "yes" and a "no":

=========  ======================================================================
张伟        married to 王芳, father of 张小宇, household in 玄武区, insured, owns a
           flat in 玄武区 (mortgaged), 法定代表人 of 南京通办信息科技有限公司
王芳        married to 张伟, mother of 张小宇, household in 秦淮区, insured
李娜        divorced (from 陈刚), household in 鼓楼区, insured, owns a flat in 鼓楼区,
           法定代表人 of a business whose licence was revoked (吊销)
刘洋        unmarried, household in 章贡区, insured
欧阳明      unmarried, household in 南康区, not insured, birth certificate on record
=========  ======================================================================

Idempotent: each resource is created once by code; the registries are
loaded once (when 张伟 is not yet in the population registry).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from tongban.core.crypto import decrypt
from tongban.core.identifiers import generate_check_digit_resident, generate_credit_code
from tongban.identity.demo import DEMO_BUSINESSES, DEMO_CITIZENS
from tongban.identity.models import LegalEntity
from tongban.identity.selectors import ID_NUMBER_CONTEXT
from tongban.org.models import Department
from tongban.sharing.models import (
    BusinessRecord,
    BusinessStatus,
    DataResource,
    InsuranceKind,
    InsuranceStatus,
    PopulationRecord,
    Registry,
    SharingType,
    SubjectKind,
    UpdateFrequency,
)
from tongban.sharing.services import FieldSpec, data_resource_register
from tongban.sharing.services.registries import (
    birth_put,
    business_put,
    household_put,
    insurance_put,
    marriage_put,
    population_put,
    real_estate_put,
)
from tongban.sharing.subjects import person_token

U, C, N = SharingType.UNCONDITIONAL, SharingType.CONDITIONAL, SharingType.NONE
P, E, X = SubjectKind.PERSON, SubjectKind.LEGAL_ENTITY, SubjectKind.NONE
PERSONAL_CONDITION = (
    "涉及个人信息，仅限依法履行职责所必需，按《中华人民共和国个人信息保护法》第三十四条"
    "在履行法定职责所必需的范围和限度内使用，不得向第三方提供。"
)


def F(code: str, name: str, data_type: str = "string", sensitivity: str = "personal") -> FieldSpec:
    return FieldSpec(code, name, data_type, sensitivity)


# (code, name, provider, sharing type, frequency, subject, registry, open, fields, condition, basis)
RESOURCES: tuple[tuple[Any, ...], ...] = (
    ("JS-GA-RK-001", "人口基础信息", "江苏省公安厅", C, UpdateFrequency.REALTIME, P,
     Registry.POPULATION, False,
     [F("name", "姓名"), F("sex", "性别", "code"), F("birth_date", "出生日期", "date"),
      F("ethnicity", "民族", "code"), F("birth_place", "出生地", "code"),
      F("alive", "是否健在", "boolean", "sensitive")],
     PERSONAL_CONDITION, "《中华人民共和国居民身份证法》"),
    ("JS-GA-HJ-002", "户籍信息", "江苏省公安厅", C, UpdateFrequency.REALTIME, P,
     Registry.HOUSEHOLD, False,
     [F("household_no", "户号"), F("region_code", "户籍地区划", "code"),
      F("address", "住址", "string", "sensitive"), F("relation", "与户主关系"),
      F("registered_on", "登记日期", "date")],
     PERSONAL_CONDITION, "《中华人民共和国户口登记条例》"),
    ("JS-MZ-HY-001", "婚姻登记信息", "江苏省民政厅", C, UpdateFrequency.DAILY, P,
     Registry.MARRIAGE, False,
     [F("marital_status", "婚姻状况", "code", "sensitive"), F("spouse_name", "配偶姓名"),
      F("registered_on", "登记日期", "date"), F("certificate_no", "结婚证字号")],
     PERSONAL_CONDITION, "《婚姻登记条例》"),
    ("JS-WJ-CS-001", "出生医学证明信息", "江苏省卫生健康委员会", C, UpdateFrequency.DAILY, P,
     Registry.BIRTH, False,
     [F("child_name", "新生儿姓名"), F("birth_date", "出生日期", "date"),
      F("birth_place", "出生地点"), F("certificate_no", "出生医学证明编号"),
      F("mother_name", "母亲姓名"), F("father_name", "父亲姓名")],
     PERSONAL_CONDITION, "《中华人民共和国母婴保健法》第二十三条"),
    ("JS-RS-SB-001", "社会保险参保信息", "江苏省人力资源和社会保障厅", C, UpdateFrequency.DAILY,
     P, Registry.SOCIAL_INSURANCE, False,
     [F("insurance_kinds", "参保险种", "list"), F("status", "参保状态", "code"),
      F("since", "参保日期", "date"), F("months_paid", "累计缴费月数", "integer"),
      F("employer_credit_code", "参保单位", "code", "internal")],
     PERSONAL_CONDITION, "《中华人民共和国社会保险法》"),
    ("JS-ZR-BDC-001", "不动产登记信息", "江苏省自然资源厅", C, UpdateFrequency.DAILY, P,
     Registry.REAL_ESTATE, False,
     [F("certificate_nos", "不动产权证书号", "list"), F("unit_numbers", "不动产单元号", "list"),
      F("locations", "坐落", "list", "sensitive"), F("total_area", "建筑面积合计", "decimal"),
      F("mortgaged", "是否抵押", "boolean")],
     "依《不动产登记暂行条例》第二十七条，限于办理不动产登记及相关业务；" + PERSONAL_CONDITION,
     "《不动产登记暂行条例》"),
    ("JS-SJ-SCZT-001", "市场主体登记信息", "江苏省市场监督管理局", U, UpdateFrequency.REALTIME, E,
     Registry.BUSINESS, False,
     [F("name", "名称", sensitivity="public"), F("kind", "类型", "code", "public"),
      F("status", "登记状态", "code", "public"),
      F("legal_representative_name", "法定代表人", sensitivity="public"),
      F("established_on", "成立日期", "date", "public"),
      F("registered_capital", "注册资本（万元）", "decimal", "public"),
      F("business_scope", "经营范围", sensitivity="public"),
      F("address", "住所", sensitivity="public"), F("region_code", "登记地区划", "code", "public"),
      F("registration_authority", "登记机关", sensitivity="public")],
     "", "《中华人民共和国市场主体登记管理条例》"),
    ("JS-ZW-DZZZ-001", "电子证照信息", "江苏省政务服务管理办公室", C, UpdateFrequency.REALTIME,
     P, Registry.CERTIFICATES, False,
     [F("holding", "是否持有有效证照", "boolean"), F("identifier", "证照标识", "code")],
     "限于办理政务服务事项时核验持证情况（两个免于提交）。",
     "《国务院关于在线政务服务的若干规定》"),
    ("JS-RH-ZX-001", "个人信用报告", "中国人民银行江苏省分行", N, UpdateFrequency.DAILY, P,
     "", False,
     [F("report", "信用报告", "string", "sensitive")],
     "《征信业管理条例》第十八条：向征信机构查询个人信息，应当取得信息主体本人的书面同意。",
     "《征信业管理条例》"),
    # 公共数据开放 (R-DS-5): no personal data.
    ("JS-SJ-TJ-001", "市场主体登记统计（按月、按区划）", "江苏省市场监督管理局", U,
     UpdateFrequency.MONTHLY, X, "", True,
     [F("month", "统计月份", "date", "public"), F("region_code", "区划", "code", "public"),
      F("new_entities", "新设市场主体数", "integer", "public"),
      F("total_entities", "实有市场主体数", "integer", "public")],
     "", "《中华人民共和国市场主体登记管理条例》"),
    ("JS-MZ-JG-001", "婚姻登记机关名录", "江苏省民政厅", U, UpdateFrequency.QUARTERLY, X, "", True,
     [F("name", "名称", sensitivity="public"), F("address", "地址", sensitivity="public"),
      F("phone", "咨询电话", sensitivity="public"), F("hours", "办公时间", sensitivity="public")],
     "", "《婚姻登记条例》"),
    ("JS-RS-JG-001", "社会保险经办机构名录", "江苏省人力资源和社会保障厅", U,
     UpdateFrequency.QUARTERLY, X, "", True,
     [F("name", "名称", sensitivity="public"), F("address", "地址", sensitivity="public"),
      F("phone", "咨询电话", sensitivity="public")],
     "", "《中华人民共和国社会保险法》"),
    ("JS-ZR-WD-001", "不动产登记服务网点", "江苏省自然资源厅", U, UpdateFrequency.QUARTERLY, X,
     "", True,
     [F("name", "名称", sensitivity="public"), F("address", "地址", sensitivity="public"),
      F("services", "可办业务", "list", "public")],
     "", "《不动产登记暂行条例》"),
)  # fmt: skip


def _demo_id(first17: str) -> str:
    return first17 + generate_check_digit_resident(first17)


# People on record who have no account.
CHILD_ID = _demo_id("32010220200501031")  # 张小宇, son of 张伟 and 王芳
FORMER_SPOUSE_ID = _demo_id("32010619760302011")  # 陈刚, divorced from 李娜
REVOKED_BUSINESS = generate_credit_code("9132010270000009")  # 南京玄武旧时光贸易有限公司


def demo_sharing_catalogue_load(*, now: dt.datetime | None = None) -> int:
    """Register the demo resources that are missing; how many were created."""
    created = 0
    for (
        code,
        name,
        provider,
        kind,
        freq,
        subject,
        registry,
        open_,
        fields,
        cond,
        basis,
    ) in RESOURCES:
        if DataResource.objects.filter(code=code).exists():
            continue
        data_resource_register(
            code=code, name=name, provider=Department.objects.get(name=provider),
            sharing_type=kind, update_frequency=freq, fields=fields, subject_kind=subject,
            registry=registry, legal_basis=basis, sharing_condition=cond,
            open_to_public=open_, open_format="CSV、JSON" if open_ else "", now=now,
        )  # fmt: skip
        created += 1
    return created


def demo_registries_load(*, now: dt.datetime | None = None) -> bool:
    """Fill the base registries for the demo accounts; False if already loaded."""
    citizens = {c.name: c for c in DEMO_CITIZENS}
    if PopulationRecord.objects.filter(
        id_number_token=person_token(citizens["张伟"].id_number)
    ).exists():
        return False
    with transaction.atomic():
        people = {
            name: population_put(id_number=c.id_number, name=name, now=now)
            for name, c in citizens.items()
        }
        people["张小宇"] = population_put(id_number=CHILD_ID, name="张小宇", now=now)
        people["陈刚"] = population_put(id_number=FORMER_SPOUSE_ID, name="陈刚", now=now)
        _households(people)
        marriage_put(
            party_a=people["张伟"], party_b=people["王芳"], registered_on=dt.date(2016, 10, 1),
            certificate_no="J320102-2016-000123", registry_office="南京市玄武区民政局婚姻登记处",
        )  # fmt: skip
        marriage_put(
            party_a=people["陈刚"], party_b=people["李娜"], registered_on=dt.date(2003, 5, 1),
            certificate_no="J320106-2003-000456", registry_office="南京市鼓楼区民政局婚姻登记处",
            dissolved_on=dt.date(2015, 8, 20), dissolution="divorce",
        )  # fmt: skip
        birth_put(
            child=people["张小宇"], mother=people["王芳"], father=people["张伟"],
            birth_place="南京市妇幼保健院", certificate_no="T320012345",
        )  # fmt: skip
        birth_put(
            child=people["欧阳明"], birth_place="赣州市南康区人民医院", certificate_no="B360078901"
        )
        businesses = _businesses(people)
        _insurances(people, businesses)
        _real_estate(people, businesses)
    return True


def _households(people: dict[str, PopulationRecord]) -> None:
    home = "南京市玄武区珠江路88号2幢301室"
    rows = (
        ("张伟", "320102000101", "320102", home, "户主", "2010-03-01"),
        ("张小宇", "320102000101", "320102", home, "子", "2020-05-20"),
        ("王芳", "320104000233", "320104", "南京市秦淮区中华路16号1单元502室", "户主",
         "2008-09-01"),
        ("李娜", "320106000045", "320106", "南京市鼓楼区中山北路210号4幢602室", "户主",
         "1996-11-05"),
        ("刘洋", "360702000318", "360702", "赣州市章贡区红旗大道36号3栋201室", "户主",
         "2013-12-20"),
        ("欧阳明", "360703000527", "360703", "赣州市南康区蓉江街道东山路12号", "子", "2001-10-09"),
    )  # fmt: skip
    for name, number, region, address, relation, since in rows:
        household_put(
            person=people[name], household_no=number, region_code=region, address=address,
            relation=relation, registered_on=dt.date.fromisoformat(since),
        )  # fmt: skip


def _businesses(people: dict[str, PopulationRecord]) -> dict[str, str]:
    reps = {"citizen1": "张伟", "citizen2": "王芳", "citizen4": "刘洋"}
    facts = {
        "南京通办信息科技有限公司": (
            "2015-06-18", "500", "软件开发；信息系统集成服务", "南京市玄武区徐庄软件园8号"),
        "南京秦淮味道餐饮管理有限公司": (
            "2019-03-08", "100", "餐饮服务；食品销售", "南京市秦淮区夫子庙贡院街6号"),
        "赣州章贡脐橙农业发展有限公司": (
            "2018-11-11", "300", "水果种植；农产品销售", "赣州市章贡区沙河镇果园路1号"),
    }  # fmt: skip
    codes: dict[str, str] = {}
    for business in DEMO_BUSINESSES:
        since, capital, scope, address = facts[business.name]
        rep = people[reps[business.representative]]
        business_put(
            credit_code=business.credit_code, name=business.name, kind="有限责任公司",
            legal_representative=rep, legal_representative_name=rep.name,
            established_on=dt.date.fromisoformat(since), registered_capital=Decimal(capital),
            business_scope=scope, address=address,
            registration_authority=f"{address[:3]}市场监督管理局",
        )  # fmt: skip
        codes[business.name] = business.credit_code
    business_put(
        credit_code=REVOKED_BUSINESS, name="南京玄武旧时光贸易有限公司", kind="有限责任公司",
        legal_representative=people["李娜"], legal_representative_name="李娜",
        established_on=dt.date(2012, 4, 1), registered_capital=Decimal("50"),
        business_scope="日用百货销售", address="南京市玄武区龙蟠路5号",
        registration_authority="南京市玄武区市场监督管理局", status=BusinessStatus.REVOKED,
    )  # fmt: skip
    return codes


def _insurances(people: dict[str, PopulationRecord], businesses: dict[str, str]) -> None:
    tongban = businesses["南京通办信息科技有限公司"]
    flavour = businesses["南京秦淮味道餐饮管理有限公司"]
    orange = businesses["赣州章贡脐橙农业发展有限公司"]
    active = InsuranceStatus.ACTIVE
    rows = (
        ("张伟", InsuranceKind.PENSION, "320100", "2008-07-01", 212, tongban),
        ("张伟", InsuranceKind.MEDICAL, "320100", "2008-07-01", 212, tongban),
        ("王芳", InsuranceKind.PENSION, "320100", "2013-07-01", 152, flavour),
        ("王芳", InsuranceKind.MEDICAL, "320100", "2013-07-01", 152, flavour),
        ("李娜", InsuranceKind.PENSION, "320100", "2000-03-01", 312, ""),
        ("李娜", InsuranceKind.MEDICAL, "320100", "2000-03-01", 312, ""),
        ("张小宇", InsuranceKind.MEDICAL, "320100", "2020-06-01", 0, ""),
        ("刘洋", InsuranceKind.PENSION, "360700", "2018-12-01", 87, orange),
        ("刘洋", InsuranceKind.MEDICAL, "360700", "2018-12-01", 87, orange),
    )
    for name, kind, region, since, months, employer in rows:
        insurance_put(
            person=people[name], kind=kind, status=active, region_code=region,
            since=dt.date.fromisoformat(since), months_paid=months, employer_credit_code=employer,
        )  # fmt: skip


def _real_estate(people: dict[str, PopulationRecord], businesses: dict[str, str]) -> None:
    real_estate_put(
        unit_number="320102002001GB00012F00020301",
        certificate_no="苏（2017）南京市不动产权第0012345号",
        location="南京市玄武区珠江路88号2幢301室", area=Decimal("89.50"), use="住宅",
        registered_on=dt.date(2017, 4, 12), owner_person=people["张伟"], mortgaged=True,
    )  # fmt: skip
    real_estate_put(
        unit_number="320106001003GB00145F00040602",
        certificate_no="苏（2011）南京市不动产权第0067890号",
        location="南京市鼓楼区中山北路210号4幢602室", area=Decimal("76.20"), use="住宅",
        registered_on=dt.date(2011, 9, 3), owner_person=people["李娜"],
    )  # fmt: skip
    shop = BusinessRecord.objects.get(credit_code=businesses["南京秦淮味道餐饮管理有限公司"])
    real_estate_put(
        unit_number="320104003002GB00077F00010101",
        certificate_no="苏（2020）南京市不动产权第0101010号",
        location="南京市秦淮区夫子庙贡院街6号", area=Decimal("120.00"), use="商业",
        registered_on=dt.date(2020, 1, 15), owner_business=shop,
    )  # fmt: skip


def demo_business_registered(
    entity: LegalEntity,
    *,
    status: str = BusinessStatus.IN_BUSINESS,
    established_on: dt.date = dt.date(2015, 6, 18),
    business_scope: str = "软件开发；信息技术咨询服务",
    address: str = "",
) -> BusinessRecord:
    """Put a business the platform knows into the demo 法人库, with its legal
    representative in the 自然人库 (for demo data and test worlds whose
    businesses are made up: every authorization is checked against the 法人库)."""
    person = entity.legal_representative
    token = person.id_number_token
    representative = PopulationRecord.objects.filter(id_number_token=token).first()
    if representative is None:
        representative = population_put(
            id_number=decrypt(person.id_number_enc, context=ID_NUMBER_CONTEXT), name=person.name
        )
    return business_put(
        credit_code=entity.credit_code, name=entity.name, kind="有限责任公司",
        legal_representative=representative, legal_representative_name=representative.name,
        established_on=established_on, registered_capital=Decimal("100"),
        business_scope=business_scope, address=address or "（演示地址）",
        registration_authority="市场监督管理局", status=status,
    )  # fmt: skip


def demo_sharing_load(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """The demo catalogue and registries (grants for the demo departments are
    made by ``tongban.demo.sharing``, which knows the catalogue of items)."""
    with transaction.atomic():
        resources = demo_sharing_catalogue_load(now=now)
        registries = demo_registries_load(now=now)
    return {"resources_created": resources, "registries_loaded": registries}
