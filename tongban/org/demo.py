"""Demo organisations: departments, halls and windows of 江苏省, 南京市 and 赣州市.

``demo_org_load`` is idempotent: departments are found again by their
统一社会信用代码, halls by (region, name) and windows by (hall, number), so a
rerun creates nothing new. Users and staff assignments are identity's job.

Credit codes are fictitious but valid (GB 32100-2015): 登记管理部门码 '1'
(机构编制) with 机构类别码 '1' (机关) or '3' (群团), or '9' (工商) '1' (企业)
for the power company; digits 3–8 are the region; digits 9–16 are derived
from the name by hashing, so every run gives the same code.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction

from tongban.core.identifiers import generate_credit_code
from tongban.org.models import Department, DepartmentKind, Hall, Region, Window, WindowKind
from tongban.org.selectors import region_get
from tongban.org.services import (
    SUBCOUNTY_REGIONS_FILE,
    department_create,
    hall_create,
    regions_load_from_file,
    window_create,
)

_ORDINARY = DepartmentKind.ORDINARY
_APPROVAL = DepartmentKind.APPROVAL_BUREAU
_CENTRE = DepartmentKind.SERVICE_CENTRE
_UTILITY = DepartmentKind.PUBLIC_ENTERPRISE


@dataclass(frozen=True)
class DemoDepartment:
    name: str
    short_name: str
    kind: str = _ORDINARY
    registrar: str = "11"  # GB 32100: 登记管理部门码 + 机构类别码
    parent_name: str = ""  # for vertically managed systems (税务, 海关, 电网)


def credit_code_for(*, name: str, region_code: str, registrar: str = "11") -> str:
    """A stable, valid 统一社会信用代码 for a demo body (GB 32100-2015)."""
    # Digits only, so the 8-character body never hits the letters GB 32100 excludes.
    body = str(int(hashlib.sha256(name.encode("utf-8")).hexdigest(), 16) % 10**8).zfill(8)
    return generate_credit_code(registrar + region_code[:6] + body)


_PROVINCE = "320000"
# The 22 provincial bodies of the demo. Names follow the 2023–2024 reforms:
# 中国人民银行南京分行 became 中国人民银行江苏省分行, the 银保监局 became the
# 国家金融监督管理总局江苏监管局, and the 地方金融监管局 the 地方金融管理局.
PROVINCIAL: tuple[DemoDepartment, ...] = (
    DemoDepartment("江苏省市场监督管理局", "省市场监管局"),
    DemoDepartment("江苏省公安厅", "省公安厅"),
    DemoDepartment("中国人民银行江苏省分行", "人民银行江苏省分行"),
    DemoDepartment("国家税务总局江苏省税务局", "省税务局"),
    DemoDepartment("江苏省人力资源和社会保障厅", "省人力资源社会保障厅"),
    DemoDepartment("江苏省住房和城乡建设厅", "省住房城乡建设厅"),
    DemoDepartment("江苏省自然资源厅", "省自然资源厅"),
    DemoDepartment("江苏省卫生健康委员会", "省卫生健康委"),
    DemoDepartment("江苏省民政厅", "省民政厅"),
    DemoDepartment("江苏省医疗保障局", "省医保局"),
    # 残联 is a 群团组织: 机构类别码 '3' under 机构编制 (GB 32100 附录).
    DemoDepartment("江苏省残疾人联合会", "省残联", registrar="13"),
    DemoDepartment("江苏省退役军人事务厅", "省退役军人厅"),
    DemoDepartment("江苏省药品监督管理局", "省药监局"),
    DemoDepartment("江苏省应急管理厅", "省应急厅"),
    DemoDepartment("江苏省政务服务管理办公室", "省政务办", kind=_CENTRE),
    DemoDepartment("江苏省高级人民法院", "省高院"),
    DemoDepartment("江苏省商务厅", "省商务厅"),
    DemoDepartment("中华人民共和国南京海关", "南京海关"),
    DemoDepartment("国网江苏省电力有限公司", "省电力公司", kind=_UTILITY, registrar="91"),
    DemoDepartment("国家金融监督管理总局江苏监管局", "江苏金融监管局"),
    DemoDepartment("江苏省地方金融管理局", "省地方金融管理局"),
    DemoDepartment("江苏省发展和改革委员会", "省发展改革委"),
)


def _city_departments(
    city: str, province_grid: str, hall_runner: DemoDepartment
) -> tuple[DemoDepartment, ...]:
    """The city-level counterparts (市级部门) of the provincial list."""
    return (
        DemoDepartment(f"{city}市场监督管理局", "市市场监管局"),
        DemoDepartment(f"{city}公安局", "市公安局"),
        DemoDepartment(
            f"国家税务总局{city}税务局",
            "市税务局",
            parent_name="国家税务总局江苏省税务局" if city == "南京市" else "",
        ),
        DemoDepartment(f"{city}人力资源和社会保障局", "市人社局"),
        DemoDepartment(f"{city}住房和城乡建设局", "市住建局"),
        DemoDepartment(f"{city}自然资源和规划局", "市自然资源和规划局"),
        DemoDepartment(f"{city}卫生健康委员会", "市卫生健康委"),
        DemoDepartment(f"{city}民政局", "市民政局"),
        DemoDepartment(f"{city}医疗保障局", "市医保局"),
        DemoDepartment(f"{city}残疾人联合会", "市残联", registrar="13"),
        DemoDepartment(f"{city}退役军人事务局", "市退役军人局"),
        DemoDepartment(f"{city}应急管理局", "市应急局"),
        DemoDepartment(f"{city}中级人民法院", "市中院"),
        DemoDepartment(f"{city}商务局", "市商务局"),
        DemoDepartment(f"{city}发展和改革委员会", "市发展改革委"),
        hall_runner,
        DemoDepartment(
            f"{province_grid}{city.removesuffix('市')}供电分公司",
            "供电公司",
            kind=_UTILITY,
            registrar="91",
            parent_name=province_grid if city == "南京市" else "",
        ),
    )


def _county_departments(prefix: str, hall_runner: DemoDepartment) -> tuple[DemoDepartment, ...]:
    """About ten county-level bodies; ``prefix`` is "南京市玄武区" or "瑞金市"."""
    return (
        DemoDepartment(f"{prefix}市场监督管理局", "市场监管局"),
        DemoDepartment(f"国家税务总局{prefix}税务局", "税务局"),
        DemoDepartment(f"{prefix}人力资源和社会保障局", "人社局"),
        DemoDepartment(f"{prefix}民政局", "民政局"),
        DemoDepartment(f"{prefix}卫生健康委员会", "卫生健康委"),
        DemoDepartment(f"{prefix}医疗保障局", "医保局"),
        DemoDepartment(f"{prefix}住房和城乡建设局", "住建局"),
        DemoDepartment(f"{prefix}退役军人事务局", "退役军人局"),
        DemoDepartment(f"{prefix}残疾人联合会", "残联", registrar="13"),
        hall_runner,
    )


_NANJING_GRID = "国网江苏省电力有限公司"
_GANZHOU_GRID = "国网江西省电力有限公司"

# Region code -> (prefix for names, departments). Nanjing and its districts
# run their halls through a 政务服务管理办公室; 赣州市 and its counties set up
# 行政审批局 under the 相对集中行政许可权 reform, which also run the halls.
DEMO_REGIONS: dict[str, tuple[str, tuple[DemoDepartment, ...]]] = {
    "320000": ("江苏省", PROVINCIAL),
    "320100": (
        "南京市",
        _city_departments(
            "南京市", _NANJING_GRID, DemoDepartment("南京市政务服务管理办公室", "市政务办", _CENTRE)
        ),
    ),
    "320102": (
        "南京市玄武区",
        (
            DemoDepartment("南京市公安局玄武分局", "公安分局"),
            *_county_departments(
                "南京市玄武区",
                DemoDepartment("南京市玄武区政务服务管理办公室", "区政务办", _CENTRE),
            ),
        ),
    ),
    "320115": (
        "南京市江宁区",
        (
            DemoDepartment("南京市公安局江宁分局", "公安分局"),
            *_county_departments(
                "南京市江宁区",
                DemoDepartment("南京市江宁区政务服务管理办公室", "区政务办", _CENTRE),
            ),
        ),
    ),
    "360700": (
        "赣州市",
        _city_departments(
            "赣州市", _GANZHOU_GRID, DemoDepartment("赣州市行政审批局", "市行政审批局", _APPROVAL)
        ),
    ),
    "360702": (
        "赣州市章贡区",
        (
            DemoDepartment("赣州市公安局章贡分局", "公安分局"),
            *_county_departments(
                "赣州市章贡区", DemoDepartment("赣州市章贡区行政审批局", "区行政审批局", _APPROVAL)
            ),
        ),
    ),
    "360781": (
        "瑞金市",
        (
            DemoDepartment("瑞金市公安局", "公安局"),
            *_county_departments(
                "瑞金市", DemoDepartment("瑞金市行政审批局", "市行政审批局", _APPROVAL)
            ),
        ),
    ),
}

_OPENING_HOURS = (
    "周一至周五 上午 9:00–12:00，下午 13:30–17:00（法定节假日除外，调休上班日照常办公）"
)


def _ensure_department(spec: DemoDepartment, region: Region) -> tuple[Department, bool]:
    code = credit_code_for(name=spec.name, region_code=region.code, registrar=spec.registrar)
    found = Department.objects.filter(credit_code=code).first()
    if found is not None:
        return found, False
    parent = Department.objects.filter(name=spec.parent_name).first() if spec.parent_name else None
    department = department_create(
        name=spec.name,
        short_name=spec.short_name,
        credit_code=code,
        region=region,
        kind=spec.kind,
        parent=parent,
    )
    return department, True


def _ensure_hall(region: Region, prefix: str, departments: list[Department]) -> tuple[Hall, int]:
    """One hall per city or county with five windows; returns (hall, windows created)."""
    name = f"{prefix}政务服务中心"
    hall = Hall.objects.filter(region=region, name=name).first()
    if hall is None:
        runners = [d for d in departments if d.kind in (_CENTRE, _APPROVAL)]
        runner = next((d for d in runners if d.region_id == region.code), None)
        hall = hall_create(
            name=name,
            region=region,
            department=runner,
            address=f"{prefix}（演示地址）",
            phone="12345",
            opening_hours=_OPENING_HOURS,
        )
    # Courts and customs do not receive applications at the hall's windows.
    served = [d for d in departments if not d.name.endswith(("法院", "海关"))]
    police = [d for d in departments if "公安" in d.name]
    windows = (
        ("A01", "综合受理窗口", WindowKind.COMPREHENSIVE, served),
        ("A02", "综合受理窗口", WindowKind.COMPREHENSIVE, served),
        ("B01", "全科窗口", WindowKind.GENERAL, served),
        ("C01", "公安专窗", WindowKind.DEDICATED, police),
        ("D01", "出件窗口", WindowKind.DELIVERY, served),
    )
    created = 0
    existing = set(Window.objects.filter(hall=hall).values_list("number", flat=True))
    for number, window_name, kind, window_departments in windows:
        if number not in existing:
            window_create(
                hall=hall,
                number=number,
                name=window_name,
                kind=kind,
                departments=window_departments,
            )
            created += 1
    return hall, created


def demo_org_load() -> dict[str, int]:
    """Load the regions and the demo departments, halls and windows; return the counts.

    The regions are the GB/T 2260 file (province to county) and the 乡镇 and
    村 of the four demo counties (``subcounty_regions.csv``, 807 rows).
    """
    with transaction.atomic():
        counties = regions_load_from_file()
        subcounty = regions_load_from_file(path=SUBCOUNTY_REGIONS_FILE)
        departments_created = 0
        halls: list[Hall] = []
        windows_created = 0
        all_departments: list[Department] = []
        for code, (prefix, specs) in DEMO_REGIONS.items():
            region = region_get(code)
            local: list[Department] = []
            for spec in specs:
                department, created = _ensure_department(spec, region)
                departments_created += created
                local.append(department)
            all_departments.extend(local)
            if region.level != "province":
                hall, created_windows = _ensure_hall(region, prefix, local)
                halls.append(hall)
                windows_created += created_windows
    return {
        "regions": counties.total + subcounty.total,
        "regions_created": counties.created + subcounty.created,
        "departments": len(all_departments),
        "departments_created": departments_created,
        "halls": len(halls),
        "windows": Window.objects.filter(hall__in=halls).count(),
        "windows_created": windows_created,
    }
