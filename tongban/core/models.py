"""Kernel tables: calendar overrides, audit chain, outbox, idempotency, leases."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Count, Max, Q


class CalendarYear(models.Model):
    """A year whose holiday notice an administrator has imported.

    Its presence means: for this year, days without an override follow the
    Monday-to-Friday rule, and the overrides list every holiday and 调休 day.
    """

    year = models.PositiveSmallIntegerField("年度", unique=True)
    source = models.CharField("依据（通知文号）", max_length=300)
    imported_at = models.DateTimeField("导入时间")
    imported_by = models.CharField("导入人", max_length=150, blank=True)

    class Meta:
        verbose_name = "日历年度"
        verbose_name_plural = "日历年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year} ({self.source})"

    @classmethod
    def version_stamp(cls) -> tuple[Any, ...]:
        years = cls.objects.aggregate(n=Count("id"), last=Max("imported_at"))
        days = CalendarOverride.objects.aggregate(n=Count("id"), last=Max("updated_at"))
        return (years["n"], years["last"], days["n"], days["last"])


class CalendarOverride(models.Model):
    """One day that departs from the package data or the weekday rule."""

    date = models.DateField("日期", unique=True)
    working = models.BooleanField("是否工作日")
    name = models.CharField("名称", max_length=60, blank=True)
    source = models.CharField("依据", max_length=300, blank=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "日历调整"
        verbose_name_plural = "日历调整"
        ordering = ["date"]

    def __str__(self) -> str:
        kind = "上班" if self.working else "休息"
        return f"{self.date} {kind} {self.name}"


class AuditEvent(models.Model):
    """An append-only, SM3 hash-chained audit record (DESIGN §8).

    Appended without any lock (``core.audit.audit_record``); the sealer
    (``core.audit_seal``) then gives each event its place in the chain
    (``position``), its predecessor's hash and its own, a few seconds later,
    and signs a checkpoint over the head. Never updated or deleted otherwise;
    ``tongban audit verify`` recomputes the chain and checks the checkpoints.
    """

    seq = models.BigAutoField(primary_key=True)
    at = models.DateTimeField("时间", db_index=True)
    actor = models.CharField("操作人", max_length=200)
    action = models.CharField("操作", max_length=100, db_index=True)
    object_type = models.CharField("对象类型", max_length=100)
    object_id = models.CharField("对象标识", max_length=200, db_index=True)
    address = models.CharField("来源地址", max_length=64, blank=True)
    details = models.JSONField("详情", default=dict)
    # Set by the sealer; empty while the event waits for its seal.
    position = models.BigIntegerField("链上位置", null=True, blank=True, unique=True)
    prev_hash = models.CharField("前一条哈希", max_length=64, blank=True)
    hash = models.CharField("哈希", max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["seq"]
        indexes = [
            # The sealer's queue: the few events not yet in the chain.
            models.Index(fields=["seq"], name="audit_unsealed", condition=Q(position__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """The sealed end of the chain: locked by the sealer only, never by writers."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    last_seq = models.BigIntegerField(default=0)
    last_position = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"chain head @{self.last_position}"


class AuditCheckpoint(models.Model):
    """A signed statement of the chain's head after a seal (ADR-0008).

    Signed with a key the database does not hold (``TONGBAN_AUDIT_SIGNING_KEYS``)
    and also written outside it (the witness file, and the public
    ``/api/v1/audit/checkpoint`` another system polls): an attacker who can
    rewrite every row and recompute every hash cannot sign the new head.
    """

    position = models.BigIntegerField("链上位置", unique=True)
    head_hash = models.CharField("链头哈希", max_length=64)
    count = models.PositiveIntegerField("本批条数")
    sealed_at = models.DateTimeField("封存时间")
    key_id = models.CharField("签名密钥", max_length=40)
    signature = models.CharField("签名", max_length=200)

    class Meta:
        verbose_name = "审计检查点"
        verbose_name_plural = "审计检查点"
        ordering = ["position"]

    def __str__(self) -> str:
        return f"checkpoint @{self.position} {self.head_hash[:12]}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "待投递"
    DELIVERED = "delivered", "已投递"
    DEAD = "dead", "投递失败（死信）"


class OutboxMessage(models.Model):
    """One event for one subscriber, written in the emitter's transaction."""

    event_id = models.UUIDField("事件标识", db_index=True)
    event = models.CharField("事件", max_length=100, db_index=True)
    subscriber = models.CharField("订阅者", max_length=200)
    payload = models.JSONField("内容", default=dict)
    created_at = models.DateTimeField("产生时间")
    status = models.CharField(
        "状态", max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间")
    last_error = models.TextField("最近错误", blank=True)
    delivered_at = models.DateTimeField("投递时间", null=True, blank=True)

    class Meta:
        verbose_name = "事件投递"
        verbose_name_plural = "事件投递"
        constraints = [
            models.UniqueConstraint(fields=["event_id", "subscriber"], name="outbox_once")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscriber} ({self.status})"


class IdempotencyRecord(models.Model):
    """The stored answer to a creating POST with an ``Idempotency-Key``."""

    owner = models.CharField(max_length=200)
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.BinaryField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    # The answer's Location and ETag, replayed with its body.
    response_headers = models.JSONField(default=dict, blank=True)
    # The first answer carried something shown once (a secret, a decryption
    # code): only its status is kept, and a repeat is told so instead of a replay.
    withheld = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="idempotency_owner_key")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


class Lease(models.Model):
    """A named database lease: one holder at a time until it expires."""

    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=200)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder}"


class ScheduledRun(models.Model):
    """One run of a periodic job for one time slot; unique, so never doubled."""

    job = models.CharField(max_length=100)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_once")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot}"


class RateCounter(models.Model):
    """Attempts of one key within one fixed window (``core.ratelimit``)."""

    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_counter_window")
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.window_start}: {self.count}"


class Backoff(models.Model):
    """Recent failures of one key and how long it must wait (``core.ratelimit``).

    The key is stored as a keyed hash: it names an account, an address or an
    ID number.
    """

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key[:12]}…: {self.failures} failure(s)"


# ---------------------------------------------------------------------------
# Notifications to applicants (SMS and e-mail), see ``core.notifications``.
# ---------------------------------------------------------------------------


class NotificationChannel(models.TextChoices):
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败（等待重试）"
    DEAD = "dead", "发送失败（已放弃）"
    # The recipient turned the channel off for this kind of notice: nothing was
    # sent; the message is in the recipient's 消息中心 (站内信) only.
    INBOX_ONLY = "inbox_only", "未发送（仅存站内信）"


class Notification(models.Model):
    """One message to one recipient about one thing, sent at most once.

    The recipient is stored only encrypted (SM4-GCM), with a keyed search
    token for the idempotency key and a masked copy for display (DESIGN §8).
    """

    channel = models.CharField("渠道", max_length=8, choices=NotificationChannel.choices)
    recipient_enc = models.TextField("接收人（密文）")
    recipient_token = models.CharField("接收人检索令牌", max_length=64)
    recipient_masked = models.CharField("接收人（脱敏）", max_length=100)
    subject = models.CharField("标题", max_length=200, blank=True)
    body = models.TextField("内容")
    purpose = models.CharField("用途", max_length=100)
    object_type = models.CharField("对象类型", max_length=100)
    object_id = models.CharField("对象标识", max_length=200)
    status = models.CharField(
        "状态",
        max_length=16,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    attempts = models.PositiveIntegerField("发送次数", default=0)
    next_attempt_at = models.DateTimeField("下次重试时间", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    gateway = models.CharField("发送网关", max_length=100, blank=True)
    gateway_message_id = models.CharField("网关消息标识", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        constraints = [
            # A repeated event never sends twice (the idempotency key).
            models.UniqueConstraint(
                fields=["purpose", "object_type", "object_id", "channel", "recipient_token"],
                name="notification_once",
            )
        ]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="notification_object"),
            models.Index(fields=["status", "created_at"], name="notification_status"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.object_type}:{self.object_id} → {self.recipient_masked}"


class DrawState(models.TextChoices):
    OPEN = "open", "已公布承诺"
    DRAWN = "drawn", "已抽取"


class DrawRecord(models.Model):
    """One verifiable random draw (``core.draw``): the commitment is public from
    the start; the seed, the candidates and the result once it has run.

    The seed is kept sealed (SM4-GCM) until the draw runs, so reading the
    database does not tell it; one draw per purpose and subject, run once.
    """

    public_id = models.UUIDField("公开编号", unique=True, editable=False)
    purpose = models.CharField("用途", max_length=40)
    subject = models.CharField("对象", max_length=120)
    title = models.CharField("名称", max_length=200, blank=True)
    state = models.CharField("状态", max_length=10, choices=DrawState.choices)
    commitment = models.CharField("种子承诺值（SHA-256）", max_length=64)
    seed_sealed = models.TextField("种子（密文）")
    seed = models.CharField("种子（公开）", max_length=64, blank=True)
    spec = models.JSONField("抽取数量", default=dict)
    # Draws run before the snapshot keep their list here; later ones in the
    # snapshot file named by ``candidates_sha256`` (core.draws.snapshot_name).
    candidates = models.JSONField("候选名单", null=True, blank=True)
    candidates_sha256 = models.CharField("候选名单文件摘要（SHA-256）", max_length=64, blank=True)
    candidates_size = models.BigIntegerField("候选名单文件大小（字节）", null=True, blank=True)
    candidates_count = models.IntegerField("候选数", null=True, blank=True)
    candidates_digest = models.CharField("候选名单摘要", max_length=64, blank=True)
    result = models.JSONField("抽取结果", null=True, blank=True)
    opened_at = models.DateTimeField("承诺公布时间")
    opened_by = models.CharField("发起人", max_length=200)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    drawn_by = models.CharField("抽取人", max_length=200, blank=True)

    class Meta:
        verbose_name = "随机抽取"
        verbose_name_plural = "随机抽取"
        constraints = [
            models.UniqueConstraint(fields=["purpose", "subject"], name="draw_one_per_subject"),
            models.CheckConstraint(
                condition=Q(state="open", seed="") | Q(state="drawn") & ~Q(seed=""),
                name="draw_seed_revealed_when_drawn",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose}:{self.subject} ({self.get_state_display()})"
