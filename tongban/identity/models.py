"""Applicants and accounts: natural persons, legal entities, users, API tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models

from tongban.core.masking import mask_name


class RealNameLevel(models.IntegerChoices):
    """实名认证等级 (issue 14, item 2). Each level is recorded with its source in
    ``RealNameVerification``; a level is only ever raised, never lowered."""

    NONE = 0, "未实名"
    L1 = 1, "一级：身份号码格式与姓名一致性核验"
    L2 = 2, "二级：人口基础信息库（自然人库）核验"
    L3 = 3, "三级：窗口现场核验身份证件"


class Person(models.Model):
    """自然人. The ID number and phone are encrypted (SM4-GCM) with search tokens."""

    name = models.CharField("姓名", max_length=100)
    id_number_enc = models.TextField("身份号码（密文）")
    id_number_token = models.CharField("身份号码检索令牌", max_length=64, unique=True)
    id_number_masked = models.CharField("身份号码（脱敏）", max_length=32)
    birth_date = models.DateField("出生日期")
    sex = models.CharField("性别", max_length=8, choices=[("male", "男"), ("female", "女")])
    region_code = models.CharField("户籍地区划代码", max_length=6)
    phone_enc = models.TextField("手机号（密文）", blank=True)
    phone_token = models.CharField("手机号检索令牌", max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField("手机号（脱敏）", max_length=20, blank=True)
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "自然人"
        verbose_name_plural = "自然人"

    def __str__(self) -> str:
        # Shown in admin titles, choices and logs: masked like everything else.
        return f"{mask_name(self.name)}（{self.id_number_masked}）"


class LegalEntity(models.Model):
    """法人及其他组织, identified by its 统一社会信用代码."""

    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("名称", max_length=200)
    legal_representative = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="represented_entities",
        verbose_name="法定代表人",
    )
    region_code = models.CharField("登记地区划代码", max_length=6)
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "法人"
        verbose_name_plural = "法人"

    def __str__(self) -> str:
        return f"{self.name}（{self.credit_code}）"


class AccountKind(models.TextChoices):
    CITIZEN = "citizen", "个人用户"
    BUSINESS = "business", "法人用户"
    STAFF = "staff", "工作人员"
    SYSTEM = "system", "系统账号"


class UserManager(BaseUserManager["User"]):
    def create_user(self, username: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(username=username, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("kind", AccountKind.STAFF)
        extra.setdefault("display_name", username)
        return self.create_user(username, password, is_staff=True, is_superuser=True, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A login: a citizen, a business account, a staff member or a system."""

    username = models.CharField("用户名", max_length=150, unique=True)
    kind = models.CharField("账号类型", max_length=16, choices=AccountKind.choices)
    display_name = models.CharField("显示名称", max_length=100)
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name="自然人",
    )
    real_name_level = models.PositiveSmallIntegerField(
        "实名等级", choices=RealNameLevel.choices, default=RealNameLevel.NONE
    )
    is_active = models.BooleanField("启用", default=True)
    is_staff = models.BooleanField("可进入管理后台", default=False)
    date_joined = models.DateTimeField("注册时间", auto_now_add=True)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return f"{self.display_name}（{self.username}）"


class AuthorizationRole(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_representative", "法定代表人"
    AGENT = "agent", "经办人"


class BusinessAuthorization(models.Model):
    """A business account's right to act for a legal entity (法定代表人 or 经办人).

    Never deleted: revoking sets ``revoked_at``, so who could act for whom
    and when stays answerable.
    """

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="business_authorizations", verbose_name="账号"
    )
    legal_entity = models.ForeignKey(
        LegalEntity, on_delete=models.PROTECT, related_name="authorizations", verbose_name="法人"
    )
    role = models.CharField("身份", max_length=32, choices=AuthorizationRole.choices)
    granted_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="授权人",
    )
    granted_at = models.DateTimeField("授权时间")
    valid_until = models.DateTimeField("有效期至", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="撤销人",
    )
    # An agent may be limited to named items (实施编码, issue 14 item 3); empty
    # means every item. A legal representative is never limited.
    item_codes = models.JSONField("限办事项（实施编码）", default=list, blank=True)

    class Meta:
        verbose_name = "法人授权"
        verbose_name_plural = "法人授权"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "legal_entity"],
                condition=models.Q(revoked_at__isnull=True),
                name="business_authorization_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.legal_entity_id} ({self.get_role_display()})"


class ApiToken(models.Model):
    """A personal or system access token for the API (``Authorization: Bearer``).

    Only the HMAC-SM3 of the token is stored; the plaintext is shown once.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="账号"
    )
    name = models.CharField("名称", max_length=100)
    prefix = models.CharField("前缀", max_length=8, db_index=True)
    token_hash = models.CharField("令牌哈希", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间")
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "访问令牌"
        verbose_name_plural = "访问令牌"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class PhoneVerification(models.Model):
    """A one-time code sent by SMS to prove a phone before an account exists.

    Issue 9, item 3: sign-up no longer accepts a phone without proof. Only a
    keyed hash (HMAC-SM3) of the code is stored, bound to this row; the phone
    is encrypted like a person's. The client holds ``public_id`` and sends it
    back with the code. A code expires, allows a few guesses, and is used once.
    """

    public_id = models.CharField("凭据", max_length=64, unique=True)
    purpose = models.CharField("用途", max_length=32)
    phone_enc = models.TextField("手机号（密文）")
    phone_token = models.CharField("手机号检索令牌", max_length=64, db_index=True)
    phone_masked = models.CharField("手机号（脱敏）", max_length=20)
    code_hash = models.CharField("验证码哈希", max_length=64)
    created_at = models.DateTimeField("发送时间")
    expires_at = models.DateTimeField("失效时间", db_index=True)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "手机验证码"
        verbose_name_plural = "手机验证码"

    def __str__(self) -> str:
        return f"{self.purpose} {self.phone_masked} @ {self.created_at:%Y-%m-%d %H:%M}"


class RealNameMethod(models.TextChoices):
    REGISTRY = "registry", "基础库核验"
    IN_PERSON = "in_person", "窗口现场核验"


class RealNameVerification(models.Model):
    """One raise of a real-name level: when, to what, by what source or clerk.

    Appended, never changed: the account's ``real_name_level`` says where it
    stands, these rows say how it got there.
    """

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="real_name_verifications", verbose_name="账号"
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="real_name_verifications",
        verbose_name="自然人",
    )
    level = models.PositiveSmallIntegerField("核验后等级", choices=RealNameLevel.choices)
    previous_level = models.PositiveSmallIntegerField("核验前等级", choices=RealNameLevel.choices)
    method = models.CharField("核验方式", max_length=16, choices=RealNameMethod.choices)
    source = models.CharField("核验来源", max_length=200)
    verified_at = models.DateTimeField("核验时间")
    clerk = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="核验人员",
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="核验部门",
    )
    hall = models.ForeignKey(
        "org.Hall",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="核验大厅",
    )

    class Meta:
        verbose_name = "实名核验记录"
        verbose_name_plural = "实名核验记录"
        ordering = ["-verified_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} → L{self.level} ({self.get_method_display()})"
