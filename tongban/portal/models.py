"""The portal's own rows: drafts of a citizen's application that are not a case yet.

An uploaded material is staged (暂存) under the one-time token of the form it
was sent with, so that a submission refused for another reason keeps it: the
applicant corrects the form and does not choose the file again. Staged files
are tied to the account and the token, never shown to anyone else, handed to
``cases.services.case_submit`` when the application goes in, and deleted then
or after ``TONGBAN_STAGED_UPLOAD_HOURS`` (``staging.staged_uploads_expire``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tongban.core import clock


class StagedUpload(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="用户",
    )
    token = models.CharField("表单令牌", max_length=64)
    code = models.CharField("材料编码", max_length=40)
    file = models.FileField("文件", upload_to="staged-uploads/%Y/%m/%d/")
    file_name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小")
    created_at = models.DateTimeField("上传时间", default=clock.now)

    class Meta:
        verbose_name = "暂存材料"
        verbose_name_plural = "暂存材料"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "token", "code"], name="portal_staged_one_per_material"
            )
        ]
        indexes = [models.Index(fields=["created_at"], name="portal_staged_created")]

    def __str__(self) -> str:
        return f"{self.code} {self.file_name}"
