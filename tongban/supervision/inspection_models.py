"""双随机、一公开 (R-CR-2) and 审管联动 (R-CR-3): the models.

**Inspections.** Each department keeps its list of inspection items
(随机抽查事项清单) and its inspectors (执法检查人员库) with their qualifications.
A plan (抽查计划) names the items, the departments (several for a joint
inspection, 跨部门联合抽查: one visit per entity for all of them), the scope over
the 法人库 (region, industry, credit class) and the rate per credit class; two
verifiable draws (``core.draws``) pick the entities (one stratum per class) and
order the inspectors, who are assigned by a documented rule that skips 回避.
Each entity drawn is one task; the inspectors enter its result; results are
published within 20 working days.

**Hand-off.** An item configured for it (``SupervisionRoute``) gives every
granted case a supervision task for the supervising department, to be claimed
within 3 working days.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class InspectionItem(models.Model):
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="部门"
    )
    code = models.SlugField("事项编码", max_length=40)
    name = models.CharField("抽查事项", max_length=200)
    legal_basis = models.TextField("抽查依据")
    qualification = models.CharField(
        "检查人员资格", max_length=40, help_text="执法检查人员须具备的资格，如 食品安全"
    )
    method = models.CharField("抽查方式", max_length=60, default="现场检查")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "随机抽查事项"
        verbose_name_plural = "随机抽查事项清单"
        ordering = ["department_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["department", "code"], name="inspection_item_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Inspector(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspector",
        verbose_name="账号",
    )
    name = models.CharField("姓名", max_length=40)
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="部门"
    )
    certificate_no = models.CharField("执法证号", max_length=40, unique=True)
    qualifications = models.JSONField("资格", default=list)
    active = models.BooleanField("在库", default=True)

    class Meta:
        verbose_name = "执法检查人员"
        verbose_name_plural = "执法检查人员库"
        ordering = ["department_id", "certificate_no"]

    def __str__(self) -> str:
        return f"{self.name}（{self.certificate_no}）"


class InspectorConflict(models.Model):
    """回避: an inspector who must not inspect a subject (亲属任职、曾任职、利害关系)."""

    inspector = models.ForeignKey(
        Inspector, on_delete=models.CASCADE, related_name="conflicts", verbose_name="检查人员"
    )
    subject_code = models.CharField("统一社会信用代码", max_length=18)
    reason = models.CharField("回避事由", max_length=200)
    declared_at = models.DateTimeField("申报时间")

    class Meta:
        verbose_name = "回避关系"
        verbose_name_plural = "回避关系"
        constraints = [
            models.UniqueConstraint(
                fields=["inspector", "subject_code"], name="inspector_conflict_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.inspector_id} ✕ {self.subject_code}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草拟"
    OPEN = "open", "已公布种子承诺"
    DRAWN = "drawn", "已抽取"
    CLOSED = "closed", "已公示结果"


class InspectionPlan(models.Model):
    title = models.CharField("计划名称", max_length=200)
    lead_department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="牵头部门"
    )
    departments = models.ManyToManyField(
        "org.Department", related_name="+", verbose_name="参与部门（联合抽查）"
    )
    items = models.ManyToManyField(InspectionItem, related_name="plans", verbose_name="抽查事项")
    region_path = models.CharField("区划路径", max_length=120, db_index=True)
    scope_region = models.CharField("抽查范围：登记地区划代码前缀", max_length=12)
    scope_industry = models.CharField("抽查范围：行业（经营范围关键词）", max_length=40, blank=True)
    scope_classes = models.JSONField("抽查范围：信用等级", default=list)
    rates = models.JSONField("各信用等级抽查比例（千分比）", default=dict)
    inspectors_per_task = models.PositiveSmallIntegerField("每户检查人员数", default=2)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    status = models.CharField(
        "状态", max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    entity_draw = models.ForeignKey(
        "core.DrawRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="抽取检查对象",
    )
    inspector_draw = models.ForeignKey(
        "core.DrawRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="抽取检查人员",
    )
    created_by = models.CharField("制定人", max_length=40)
    created_at = models.DateTimeField("制定时间")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "双随机抽查计划"
        verbose_name_plural = "双随机抽查计划"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="inspection_plan_dates"
            )
        ]

    def __str__(self) -> str:
        return self.title


class InspectionResult(models.TextChoices):
    COMPLIANT = "compliant", "未发现问题"
    RECTIFY = "rectify", "发现问题，责令整改"
    PENALTY = "penalty", "发现问题，移送立案查处"
    UNREACHABLE = "unreachable", "通过登记的住所（经营场所）无法联系"


class InspectionTask(models.Model):
    """One entity drawn in a plan: one visit for all the plan's departments."""

    plan = models.ForeignKey(
        InspectionPlan, on_delete=models.CASCADE, related_name="tasks", verbose_name="计划"
    )
    subject_code = models.CharField("统一社会信用代码", max_length=18)
    subject_name = models.CharField("检查对象", max_length=200)
    stratum = models.CharField("信用等级层", max_length=1)
    inspectors = models.ManyToManyField(Inspector, related_name="tasks", verbose_name="检查人员")
    result = models.CharField(
        "检查结果", max_length=12, choices=InspectionResult.choices, blank=True
    )
    result_note = models.TextField("检查情况", blank=True)
    entered_by = models.ForeignKey(
        Inspector,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="录入人",
    )
    entered_at = models.DateTimeField("录入时间", null=True, blank=True)
    publish_due_on = models.DateField("公示期限", null=True, blank=True)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)

    class Meta:
        verbose_name = "抽查任务"
        verbose_name_plural = "抽查任务"
        ordering = ["plan_id", "subject_code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "subject_code"], name="inspection_task_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.subject_code}"


# --- 审管联动 -------------------------------------------------------------------------


class RouteReason(models.TextChoices):
    COMMITMENT = "commitment", "告知承诺事项"
    LICENCE_REFORM = "licence_reform", "“证照分离”改革事项"
    OTHER_DEPARTMENT = "other_department", "审批部门与监管部门分离"


class SupervisionRoute(models.Model):
    """Which granted cases of an item go to which supervising department (谁审批谁负责、
    谁主管谁监管)."""

    service_item = models.OneToOneField(
        "catalog.ServiceItem",
        on_delete=models.CASCADE,
        related_name="supervision_route",
        verbose_name="事项",
    )
    supervising_department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="监管部门"
    )
    reason = models.CharField("推送原因", max_length=20, choices=RouteReason.choices)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "审管联动推送规则"
        verbose_name_plural = "审管联动推送规则"

    def __str__(self) -> str:
        return f"{self.service_item_id} → {self.supervising_department_id}"


class HandoffStatus(models.TextChoices):
    PENDING = "pending", "待认领"
    CLAIMED = "claimed", "已认领"
    DONE = "done", "已办结"


class HandoffOutcome(models.TextChoices):
    COMPLIANT = "compliant", "符合许可条件"
    RECTIFY = "rectify", "责令限期整改"
    REVOKE = "revoke", "不符合条件，依法处理"


class SupervisionTask(models.Model):
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="supervision_task"
    )
    approving_department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="审批部门"
    )
    supervising_department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="监管部门"
    )
    region_path = models.CharField("监管部门区划路径", max_length=120, db_index=True)
    reason = models.CharField("推送原因", max_length=20, choices=RouteReason.choices)
    status = models.CharField(
        "状态", max_length=10, choices=HandoffStatus.choices, default=HandoffStatus.PENDING
    )
    created_at = models.DateTimeField("推送时间")
    claim_due_on = models.DateField("认领期限")
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="认领人",
    )
    claimed_at = models.DateTimeField("认领时间", null=True, blank=True)
    outcome = models.CharField(
        "监管结果", max_length=12, choices=HandoffOutcome.choices, blank=True
    )
    outcome_note = models.TextField("监管情况", blank=True)
    finished_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "审管联动监管任务"
        verbose_name_plural = "审管联动监管任务"
        ordering = ["claim_due_on", "id"]
        indexes = [
            models.Index(
                fields=["claim_due_on"],
                condition=Q(status="pending"),
                name="supervision_handoff_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status}"
