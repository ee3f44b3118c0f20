"""The access log: who read whose data, when and why (X-Road, Estonia's data tracker).

Append-only and tamper-evident without a global lock (docs/sharing.md): each
line is chained (SM3) to the previous line about the same data subject, under
a lock on that subject's :class:`AccessLogHead` only; the scheduler then seals
the lines written since the last seal into one :class:`AccessLogSeal`, a
linear SM3 chain of batches, so a subject's whole chain cannot vanish unseen.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tongban.org.models import Department
from tongban.sharing.models.catalogue import DataResource, SubjectKind


class CallKind(models.TextChoices):
    VERIFY = "verify", "查询核验"
    QUERY = "query", "数据查询"
    LOOKUP = "lookup", "办件免提交材料核验"
    CERTIFICATE = "certificate", "电子证照调用"


class Outcome(models.TextChoices):
    ANSWERED = "answered", "已答复"
    NOT_FOUND = "not_found", "未查到"
    REFUSED = "refused", "已拒绝"


class AccessLogSeal(models.Model):
    """One batch of lines sealed together; each seal carries the hash of the one before."""

    sealed_at = models.DateTimeField("封存时间")
    first_seq = models.BigIntegerField("首条序号")
    last_seq = models.BigIntegerField("末条序号")
    count = models.PositiveIntegerField("条数")
    digest = models.CharField("批次摘要", max_length=64)
    prev_hash = models.CharField("前一批次哈希", max_length=64, unique=True)
    hash = models.CharField("哈希", max_length=64, unique=True)

    class Meta:
        verbose_name = "访问日志封存批次"
        verbose_name_plural = "访问日志封存批次"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"封存 #{self.pk}（{self.count} 条）"


class AccessLogEntry(models.Model):
    """One call, answered or refused. Never updated except to note its seal."""

    seq = models.BigAutoField(primary_key=True)
    at = models.DateTimeField("时间")
    kind = models.CharField("调用类型", max_length=16, choices=CallKind.choices)
    target = models.CharField("服务或资源", max_length=60)
    resource = models.ForeignKey(
        DataResource, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name="数据资源",
    )  # fmt: skip
    fields = models.JSONField("信息项", default=list)
    consumer = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name="使用部门",
    )  # fmt: skip
    consumer_name = models.CharField("使用部门名称", max_length=100, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name="操作人",
    )  # fmt: skip
    actor_label = models.CharField("操作人", max_length=200)
    purpose = models.CharField("用途", max_length=500)
    case_no = models.CharField("办件编号", max_length=40, blank=True)
    subject_kind = models.CharField("数据主体类型", max_length=16, choices=SubjectKind.choices)
    subject_token = models.CharField("数据主体检索令牌", max_length=64)
    subject_label = models.CharField("数据主体（脱敏）", max_length=120, blank=True)
    outcome = models.CharField("结果", max_length=16, choices=Outcome.choices)
    error_code = models.CharField("拒绝代码", max_length=60, blank=True)
    channel = models.CharField("渠道", max_length=20, blank=True)
    prev_hash = models.CharField("同一主体前一条哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64, unique=True)
    seal = models.ForeignKey(
        AccessLogSeal, on_delete=models.PROTECT, null=True, blank=True,
        related_name="entries", verbose_name="封存批次",
    )  # fmt: skip

    class Meta:
        verbose_name = "数据访问日志"
        verbose_name_plural = "数据访问日志"
        ordering = ["seq"]
        indexes = [
            # 谁查询了我的数据: one subject's lines, newest first.
            models.Index(fields=["subject_token", "-seq"], name="sharing_log_subject"),
            models.Index(fields=["consumer", "-seq"], name="sharing_log_consumer"),
            models.Index(fields=["seal", "seq"], name="sharing_log_seal"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.target} ({self.outcome})"


class AccessLogHead(models.Model):
    """The last line of one subject's chain; locked while a line is appended."""

    subject_token = models.CharField(max_length=64, primary_key=True)
    last_hash = models.CharField(max_length=64)
    last_seq = models.BigIntegerField(default=0)
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.subject_token[:12]}… #{self.last_seq}"
