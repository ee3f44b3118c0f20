"""Regions, departments, halls, windows and staff assignments (DESIGN §2, §8).

The organisation layer sits just above the kernel: every scoped query in the
higher apps filters by a :class:`Region` materialised path and, optionally, a
set of :class:`Department` ids (see ``selectors.scope_q``). It never imports
``tongban.identity``; the user model is referred to by ``AUTH_USER_MODEL``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_credit_code, validate_region_code


def _check_credit_code(value: str) -> None:
    """Form-level check for the admin; services call ``validate_credit_code`` themselves."""
    try:
        validate_credit_code(value)
    except DomainError as exc:
        raise ValidationError(exc.detail, code=exc.code) from exc


def _check_region_code(value: str) -> None:
    try:
        validate_region_code(value)
    except DomainError as exc:
        raise ValidationError(exc.detail, code=exc.code) from exc


class RegionLevel(models.TextChoices):
    # GB/T 2260 covers province, city (地级) and county (县级); the 12-digit
    # township and village codes follow the 统计用区划代码 of 国家统计局.
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡镇级"
    VILLAGE = "village", "村级"


class Region(models.Model):
    """A 行政区划 with its GB/T 2260 code (6 digits; 12 for 乡镇 and 村)."""

    code = models.CharField(
        "区划代码", max_length=12, primary_key=True, validators=[_check_region_code]
    )
    name = models.CharField("名称", max_length=60)
    full_name = models.CharField(
        "全称", max_length=200, blank=True, help_text="自省级起逐级连写，如“江苏省南京市玄武区”"
    )
    level = models.CharField("层级", max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级区划",
    )
    # Materialised path "/320000/320100/320102/": a subtree is one indexed
    # prefix query (path__startswith), on SQLite and PostgreSQL alike.
    path = models.CharField("路径", max_length=200, unique=True, editable=False)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.full_name or self.name}（{self.code}）"


class DepartmentKind(models.TextChoices):
    ORDINARY = "ordinary", "普通部门"
    APPROVAL_BUREAU = "approval_bureau", "行政审批局"
    SERVICE_CENTRE = "service_centre", "政务服务中心"
    PUBLIC_ENTERPRISE = "public_enterprise", "公共企事业单位"


class Department(models.Model):
    """A government body (部门 / 实施主体), or a public utility that serves in halls."""

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    # GB 32100-2015: every 机关 and enterprise has exactly one code.
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[_check_credit_code]
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departments", verbose_name="所属区划"
    )
    kind = models.CharField(
        "部门类型", max_length=20, choices=DepartmentKind.choices, default=DepartmentKind.ORDINARY
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级部门",
    )

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["region_id", "name"]
        indexes = [models.Index(fields=["region", "kind"], name="org_dept_region_kind")]

    def __str__(self) -> str:
        return self.name


class HallLevel(models.TextChoices):
    """The five levels of the 政务服务体系 (R-HA-1/2), and the outlets acting as front ends."""

    PROVINCE = "province", "省级政务服务中心"
    CITY = "city", "市级政务服务中心"
    COUNTY = "county", "县级政务服务中心"
    TOWNSHIP = "township", "乡镇（街道）便民服务中心"
    VILLAGE = "village", "村（社区）便民服务站"
    OUTLET = "outlet", "银行、邮政等代办网点"


# The region level each hall level sits in; an outlet sits in a county or below.
HALL_LEVEL_REGIONS: dict[str, tuple[str, ...]] = {
    HallLevel.PROVINCE: (RegionLevel.PROVINCE,),
    HallLevel.CITY: (RegionLevel.CITY,),
    HallLevel.COUNTY: (RegionLevel.COUNTY,),
    HallLevel.TOWNSHIP: (RegionLevel.TOWNSHIP,),
    HallLevel.VILLAGE: (RegionLevel.VILLAGE,),
    HallLevel.OUTLET: (RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE),
}


class CoordinateSystem(models.TextChoices):
    # GB 20263-2006 obliges published maps in China to use the GCJ-02 offset;
    # a phone's satellite fix (and the browser's Geolocation API) is WGS-84.
    GCJ02 = "gcj02", "GCJ-02（国测局坐标）"
    WGS84 = "wgs84", "WGS-84（卫星定位坐标）"


class Hall(models.Model):
    """A 政务服务大厅 or service point (便民服务中心/站, 代办网点) where applicants are received."""

    name = models.CharField("名称", max_length=100)
    level = models.CharField(
        "层级", max_length=10, choices=HallLevel.choices, default=HallLevel.COUNTY
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="halls", verbose_name="所属区划"
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="halls",
        verbose_name="管理部门",
        help_text="政务服务中心（政务服务管理办公室）或行政审批局",
    )
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=40, blank=True)
    opening_hours = models.TextField("办公时间", blank=True)
    transport = models.CharField("交通指引", max_length=200, blank=True)
    # Degrees with 6 decimals (about 0.1 m); both set or both empty.
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    coordinate_system = models.CharField(
        "坐标系", max_length=8, choices=CoordinateSystem.choices, default=CoordinateSystem.GCJ02
    )

    class Meta:
        verbose_name = "政务服务大厅"
        verbose_name_plural = "政务服务大厅"
        ordering = ["region_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="org_hall_unique_name"),
            models.CheckConstraint(
                condition=(
                    models.Q(latitude__isnull=True, longitude__isnull=True)
                    | models.Q(
                        latitude__isnull=False,
                        longitude__isnull=False,
                        latitude__gte=-90,
                        latitude__lte=90,
                        longitude__gte=-180,
                        longitude__lte=180,
                    )
                ),
                name="org_hall_coordinates",
            ),
        ]
        indexes = [
            models.Index(fields=["level", "region"], name="org_hall_level_region"),
            models.Index(fields=["latitude", "longitude"], name="org_hall_latlng"),
        ]

    def __str__(self) -> str:
        return self.name


class WindowKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", "综合受理窗口"
    GENERAL = "general", "全科窗口"
    DELIVERY = "delivery", "出件窗口"
    DEDICATED = "dedicated", "专窗"


class Window(models.Model):
    """A 窗口 in a hall, and the departments whose items it receives."""

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="windows", verbose_name="大厅"
    )
    number = models.CharField("窗口编号", max_length=20)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("窗口类型", max_length=20, choices=WindowKind.choices)
    departments = models.ManyToManyField(
        Department, blank=True, related_name="windows", verbose_name="进驻部门"
    )

    class Meta:
        verbose_name = "窗口"
        verbose_name_plural = "窗口"
        ordering = ["hall_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="org_window_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Role(models.TextChoices):
    """Staff roles of DESIGN §8 (citizens and business agents are account kinds, not roles)."""

    WINDOW_CLERK = "window_clerk", "窗口人员"
    REVIEWER = "reviewer", "审批人员"
    DEPARTMENT_HEAD = "department_head", "部门负责人"
    HOTLINE_OPERATOR = "hotline_operator", "12345话务员"
    HOTLINE_DISPATCHER = "hotline_dispatcher", "派单员"
    HANDLER = "handler", "承办人员"
    SUPERVISOR = "supervisor", "监察人员"
    CATALOG_EDITOR = "catalog_editor", "事项编辑"
    FINANCE = "finance", "财务人员"
    PLATFORM_ADMIN = "platform_admin", "平台管理员"


class StaffAssignment(models.Model):
    """One role of one staff user in one department, with the data scope it grants.

    The scope is the region subtree rooted at ``region_scope``, narrowed to
    ``scope_departments`` when any are given (empty means every department in
    the subtree). Assignments are deactivated, never deleted, so who could see
    what and when stays answerable.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="staff_assignments",
        verbose_name="用户",
    )
    role = models.CharField("岗位角色", max_length=30, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="staff_assignments",
        verbose_name="所在部门",
    )
    region_scope = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="staff_assignments",
        verbose_name="数据范围（区划）",
        help_text="可见数据的区划范围：该区划及其下级",
    )
    scope_departments = models.ManyToManyField(
        Department,
        blank=True,
        related_name="scoped_assignments",
        verbose_name="数据范围（部门）",
        help_text="留空表示区划范围内的全部部门",
    )
    window = models.ForeignKey(
        Window,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_assignments",
        verbose_name="窗口",
    )
    active = models.BooleanField("有效", default=True)
    assigned_at = models.DateTimeField("分配时间", default=clock.now)

    class Meta:
        verbose_name = "人员岗位"
        verbose_name_plural = "人员岗位"
        ordering = ["user_id", "role"]
        indexes = [models.Index(fields=["user", "active"], name="org_staff_user_active")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} @ {self.department}"
