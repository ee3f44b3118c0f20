"""The catalogue: basic items, service items and their versioned guides."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ItemType(models.TextChoices):
    """事项类型 of the national basic catalogue."""

    LICENSING = "01", "行政许可"
    PENALTY = "02", "行政处罚"
    COERCION = "03", "行政强制"
    LEVY = "04", "行政征收"
    PAYMENT = "05", "行政给付"
    INSPECTION = "06", "行政检查"
    CONFIRMATION = "07", "行政确认"
    AWARD = "08", "行政奖励"
    ADJUDICATION = "09", "行政裁决"
    OTHER_POWER = "10", "其他行政权力"
    PUBLIC_SERVICE = "20", "公共服务"


class Level(models.TextChoices):
    """行使层级, the digit in the implementation code."""

    NATIONAL = "1", "国家级"
    PROVINCE = "2", "省级"
    CITY = "3", "市级"
    COUNTY = "4", "县级"
    TOWNSHIP = "5", "乡镇（街道）级"
    VILLAGE = "6", "村（社区）级"


# The level at which a region's own bodies exercise items (org.RegionLevel → Level).
REGION_LEVEL_TO_LEVEL: dict[str, str] = {
    "province": Level.PROVINCE.value,
    "city": Level.CITY.value,
    "county": Level.COUNTY.value,
    "township": Level.TOWNSHIP.value,
    "village": Level.VILLAGE.value,
}


class BasicItem(models.Model):
    """基本目录事项: the catalogue entry every region implements the same way."""

    code = models.CharField("基本编码", max_length=12, unique=True)
    name = models.CharField("事项名称", max_length=200)
    item_type = models.CharField("事项类型", max_length=2, choices=ItemType.choices)
    legal_basis = models.TextField("设定依据")
    levels = models.CharField("行使层级", max_length=12, help_text="如 234：省、市、县三级")
    created_at = models.DateTimeField("创建时间")
    # The signals search ranks by after the match itself (docs/catalog.md):
    # 高频事项 as the catalogue marks them, and how many cases were filed for the
    # item in every region over the last year (refreshed daily from the cases).
    high_frequency = models.BooleanField(
        "高频事项", default=False, help_text="列入高频事项清单的事项在搜索结果中优先"
    )
    usage_count = models.PositiveIntegerField("近一年办件量", default=0)
    usage_counted_at = models.DateTimeField("办件量统计时间", null=True, blank=True)

    class Meta:
        verbose_name = "基本目录事项"
        verbose_name_plural = "基本目录事项"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ServiceItemStatus(models.TextChoices):
    ACTIVE = "active", "在用"
    CANCELLED = "cancelled", "已取消"


class ServiceItem(models.Model):
    """实施清单事项: a basic item as implemented by one department in one region.

    The facet columns (name … ``search_*``) are copied from the current
    published guide version when it is published, so that lists, filters and
    search read one row; the guide itself is ``current_version.content``.
    """

    implementation_code = models.CharField("实施编码", max_length=31, unique=True)
    basic_item = models.ForeignKey(
        BasicItem, on_delete=models.PROTECT, related_name="service_items", verbose_name="基本事项"
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="service_items",
        verbose_name="实施主体",
    )
    region = models.ForeignKey(
        "org.Region",
        on_delete=models.PROTECT,
        related_name="service_items",
        verbose_name="实施区划",
    )
    region_path = models.CharField("区划路径", max_length=120, db_index=True)
    level = models.CharField("行使层级", max_length=1, choices=Level.choices)
    status = models.CharField(
        "状态", max_length=16, choices=ServiceItemStatus.choices, default=ServiceItemStatus.ACTIVE
    )
    current_version = models.ForeignKey(
        "GuideVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="现行版本",
    )
    created_at = models.DateTimeField("创建时间")
    # Facets of the current published version (null/empty until first publication).
    name = models.CharField("事项名称", max_length=200, db_index=True)
    item_type = models.CharField("事项类型", max_length=2, choices=ItemType.choices)
    handling = models.CharField("办件类型", max_length=16, blank=True)
    online_depth = models.PositiveSmallIntegerField("网办深度", null=True)
    visits_required = models.PositiveSmallIntegerField("跑动次数", null=True)
    mobile = models.BooleanField("掌上可办", default=False)
    audience = models.JSONField("服务对象", default=list)
    themes = models.JSONField("主题", default=list)
    modes = models.JSONField("服务方式", default=list)
    has_fee = models.BooleanField("收费", default=False)
    licence_separation = models.CharField("证照分离改革方式", max_length=16, blank=True)
    prior_approval = models.BooleanField("前置审批", default=False)
    intermediary_service = models.BooleanField("中介服务", default=False)
    promised_days = models.PositiveSmallIntegerField("承诺时限（天）", null=True)
    promised_unit = models.CharField(
        "承诺时限单位",
        max_length=16,
        default="working_days",
        help_text="working_days 或 natural_days",
    )
    published_at = models.DateTimeField("发布时间", null=True)

    class Meta:
        verbose_name = "实施清单事项"
        verbose_name_plural = "实施清单事项"
        ordering = ["implementation_code"]
        indexes = [
            models.Index(fields=["region_path", "name"], name="catalog_item_region_name"),
            models.Index(fields=["department", "name"], name="catalog_item_dept_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.implementation_code}）"

    @property
    def published(self) -> bool:
        return self.current_version_id is not None


class GuideStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    IN_REVIEW = "in_review", "待审核"
    PUBLISHED = "published", "已发布"
    SUPERSEDED = "superseded", "已被取代"


class GuideVersion(models.Model):
    """One version of a guide. Published versions are never edited: a case
    refers to the version it was made under."""

    service_item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="versions", verbose_name="事项"
    )
    number = models.PositiveIntegerField("版本号")
    status = models.CharField("状态", max_length=16, choices=GuideStatus.choices)
    content = models.JSONField("指南内容")
    revision = models.PositiveIntegerField("修订次数", default=1)
    change_note = models.CharField("修改说明", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="创建人",
    )
    updated_at = models.DateTimeField("更新时间")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="最后修改人",
    )
    submitted_at = models.DateTimeField("提交审核时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提交人",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    review_comment = models.CharField("审核意见", max_length=1000, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    superseded_at = models.DateTimeField("被取代时间", null=True, blank=True)

    class Meta:
        verbose_name = "办事指南版本"
        verbose_name_plural = "办事指南版本"
        ordering = ["service_item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["service_item", "number"], name="guide_version_number"),
            models.UniqueConstraint(
                fields=["service_item"],
                condition=Q(status="published"),
                name="guide_one_published",
            ),
            models.UniqueConstraint(
                fields=["service_item"],
                condition=Q(status__in=["draft", "in_review"]),
                name="guide_one_open_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_item_id} v{self.number} ({self.status})"


class GuideEvent(models.Model):
    """History of a guide version: who did what, when (appended, never edited)."""

    version = models.ForeignKey(
        GuideVersion, on_delete=models.PROTECT, related_name="events", verbose_name="版本"
    )
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="操作人",
    )
    action = models.CharField("操作", max_length=32)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16)
    comment = models.CharField("说明", max_length=1000, blank=True)

    class Meta:
        verbose_name = "指南操作记录"
        verbose_name_plural = "指南操作记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.version_id} {self.action} {self.at}"


class FieldDefinition(models.Model):
    """A reusable form field (申请表字段), shared across items' forms by ``code``."""

    code = models.CharField("字段编码", max_length=40, unique=True)
    label = models.CharField("名称", max_length=100)
    type = models.CharField("类型", max_length=16)
    description = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "表单字段定义"
        verbose_name_plural = "表单字段定义"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class SearchEntry(models.Model):
    """The search document of a published service item (DESIGN §5).

    ``tokens`` is the item's text segmented by jieba (search mode) and joined
    by spaces; ``initials`` holds pinyin initials of its words ("yyzz" for
    营业执照). ``catalog.search`` indexes both with SQLite FTS5 or a
    PostgreSQL ``tsvector`` GIN index. On PostgreSQL the document is a stored
    generated column over ``tokens`` and ``initials`` that the model does not
    declare (``search_document``, migration 0006): a migration that alters
    either field's type must drop and re-create that column around it.
    """

    service_item = models.OneToOneField(
        ServiceItem, on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    tokens = models.TextField()
    initials = models.TextField(blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "检索条目"
        verbose_name_plural = "检索条目"

    def __str__(self) -> str:
        return f"search entry of {self.service_item_id}"


class GuideFile(models.Model):
    """A file a guide offers for download (空白表格、示例样表): uploaded by the
    editor, checked to be a DOCX, XLSX or PDF, and named in a material of the
    guide as ``file:<key>`` (``catalog.files``). Files are kept, never
    replaced: a published version keeps pointing at the file it was published
    with."""

    service_item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="files", verbose_name="事项"
    )
    key = models.CharField("标识", max_length=24)
    name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField("SHA-256", max_length=64)
    file = models.FileField("文件", upload_to="guide-files/%Y/%m/")
    uploaded_at = models.DateTimeField("上传时间")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="上传人",
    )

    class Meta:
        verbose_name = "指南附件"
        verbose_name_plural = "指南附件"
        constraints = [
            models.UniqueConstraint(fields=["service_item", "key"], name="catalog_file_key")
        ]

    def __str__(self) -> str:
        return self.name
