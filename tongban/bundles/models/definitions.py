"""Bundle definitions: the 一件事 and its versions (editorial workflow as guides)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    IN_REVIEW = "in_review", "待审核"
    PUBLISHED = "published", "已发布"
    SUPERSEDED = "superseded", "已被取代"


class Bundle(models.Model):
    """一件事: offered in one region; its content lives in versions.

    The facet columns (name … ``published_at``) and the department sets are
    copied from the current published version on publication, so that lists,
    scopes and the lead desk read one row.
    """

    code = models.CharField("编码", max_length=40, unique=True)
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="bundles", verbose_name="实施区划"
    )
    region_path = models.CharField("区划路径", max_length=120, db_index=True)
    current_version = models.ForeignKey(
        "BundleVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="现行版本",
    )
    created_at = models.DateTimeField("创建时间")
    # Facets of the current published version.
    name = models.CharField("名称", max_length=200)
    category = models.CharField("类别", max_length=16, blank=True)
    reach = models.CharField("通办范围", max_length=16, blank=True)
    audience = models.JSONField("服务对象", default=list)
    promised_days = models.PositiveSmallIntegerField("承诺时限（天）", null=True)
    promised_unit = models.CharField("承诺时限单位", max_length=16, default="working_days")
    joint = models.BooleanField("联合办理", default=False)
    member_count = models.PositiveSmallIntegerField("事项数", default=0)
    published_at = models.DateTimeField("发布时间", null=True)
    lead_departments = models.ManyToManyField(
        "org.Department", blank=True, related_name="led_bundles", verbose_name="牵头部门"
    )
    cooperating_departments = models.ManyToManyField(
        "org.Department", blank=True, related_name="cooperating_bundles", verbose_name="配合部门"
    )

    class Meta:
        verbose_name = "一件事"
        verbose_name_plural = "一件事"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class BundleVersion(models.Model):
    """One version of a bundle definition. Published versions are never edited:
    an application refers to the version it was made under."""

    bundle = models.ForeignKey(
        Bundle, on_delete=models.PROTECT, related_name="versions", verbose_name="一件事"
    )
    number = models.PositiveIntegerField("版本号")
    status = models.CharField("状态", max_length=16, choices=VersionStatus.choices)
    content = models.JSONField("定义内容")
    revision = models.PositiveIntegerField("修订次数", default=1)
    change_note = models.CharField("修改说明", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField("提交审核时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_comment = models.CharField("审核意见", max_length=1000, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    superseded_at = models.DateTimeField("被取代时间", null=True, blank=True)

    class Meta:
        verbose_name = "一件事定义版本"
        verbose_name_plural = "一件事定义版本"
        ordering = ["bundle", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "number"], name="bundle_version_number"),
            models.UniqueConstraint(
                fields=["bundle"], condition=Q(status="published"), name="bundle_one_published"
            ),
            models.UniqueConstraint(
                fields=["bundle"],
                condition=Q(status__in=["draft", "in_review"]),
                name="bundle_one_open_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bundle_id} v{self.number} ({self.status})"


class BundleVersionEvent(models.Model):
    """History of a bundle version (appended, never edited)."""

    version = models.ForeignKey(BundleVersion, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField("操作", max_length=32)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16)
    comment = models.CharField("说明", max_length=1000, blank=True)

    class Meta:
        verbose_name = "一件事定义操作记录"
        verbose_name_plural = "一件事定义操作记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.version_id} {self.action} {self.at}"
