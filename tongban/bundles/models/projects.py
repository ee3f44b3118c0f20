"""Investment projects (R-PL-7) and regional assessments (区域评估, 002 #27)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ProjectKind(models.TextChoices):
    FILING = "filing", "备案"
    APPROVAL = "approval", "核准"
    GOVERNMENT = "government", "审批（政府投资）"


class InvestmentProject(models.Model):
    """A fixed-asset investment project and its 投资项目代码 (GB/T 40058-2021)."""

    code = models.CharField("投资项目代码", max_length=24, unique=True)
    name = models.CharField("项目名称", max_length=200)
    kind = models.CharField("管理方式", max_length=16, choices=ProjectKind.choices)
    project_type = models.CharField("项目类型代码", max_length=2)
    guidance_code = models.CharField("中央业务指导部门代码", max_length=2)
    owner_entity = models.ForeignKey(
        "identity.LegalEntity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="项目单位",
    )
    owner_name = models.CharField("项目单位名称", max_length=200)
    owner_credit_code = models.CharField("项目单位统一社会信用代码", max_length=18)
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="+", verbose_name="建设地点区划"
    )
    region_path = models.CharField("区划路径", max_length=120, db_index=True)
    address = models.CharField("建设地点", max_length=200)
    total_investment = models.DecimalField("总投资（万元）", max_digits=18, decimal_places=4)
    zone = models.ForeignKey(
        "bundles.DevelopmentZone",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name="所在开发区（园区）",
    )
    registered_at = models.DateTimeField("赋码时间")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "投资项目"
        verbose_name_plural = "投资项目"
        ordering = ["-registered_at", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class ProjectCase(models.Model):
    """A case carrying the project's code (a 工程建设 approval of the project)."""

    project = models.ForeignKey(InvestmentProject, on_delete=models.CASCADE, related_name="cases")
    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="investment_project"
    )
    linked_at = models.DateTimeField("关联时间")

    class Meta:
        verbose_name = "项目审批事项"
        verbose_name_plural = "项目审批事项"

    def __str__(self) -> str:
        return f"{self.project_id} {self.case_id}"


class DevelopmentZone(models.Model):
    """A 开发区（园区） whose regional assessments replace each project's own."""

    name = models.CharField("名称", max_length=200)
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField("区划路径", max_length=120, db_index=True)
    description = models.TextField("范围说明", blank=True)
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "开发区（园区）"
        verbose_name_plural = "开发区（园区）"
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="zone_name")]

    def __str__(self) -> str:
        return self.name


class AssessmentKind(models.TextChoices):
    LAND_SURVEY = "land_survey", "土地勘测"
    MINERAL_OVERLAY = "mineral_overlay", "压覆矿产资源评估"
    GEOLOGICAL_HAZARD = "geological_hazard", "地质灾害危险性评估"
    SOIL_WATER = "soil_water", "水土保持"
    ARCHAEOLOGY = "archaeology", "文物考古调查勘探"
    ENVIRONMENT = "environment", "环境影响评价"
    ENERGY = "energy", "节能评价"
    FLOOD = "flood", "洪水影响评价"
    SEISMIC = "seismic", "地震安全性评价"


class RegionalAssessment(models.Model):
    """One assessment done once for a zone, with its validity (区域评估)."""

    zone = models.ForeignKey(DevelopmentZone, on_delete=models.PROTECT, related_name="assessments")
    kind = models.CharField("评估事项", max_length=24, choices=AssessmentKind.choices)
    title = models.CharField("成果名称", max_length=200)
    document_no = models.CharField("批复文号", max_length=100)
    issued_by = models.CharField("审批（出具）单位", max_length=200)
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期至")
    recorded_at = models.DateTimeField("登记时间")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "区域评估成果"
        verbose_name_plural = "区域评估成果"
        ordering = ["zone_id", "kind", "-valid_until"]

    def __str__(self) -> str:
        return f"{self.zone} {self.get_kind_display()}"
