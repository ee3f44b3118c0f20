"""Staged uploads of an application form (``models.StagedUpload``).

Writes and reads of the portal's drafts, kept apart from the views: a file is
staged once it passed the checks of a material (type from its first bytes,
size), replaced by a newer one for the same material, read back when the
application is submitted, and deleted after submission or a day later.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from tongban.cases.services.uploads import detect_type, safe_file_name
from tongban.core import clock
from tongban.portal.models import StagedUpload


def staged_upload_put(
    *, user: Any, token: str, code: str, content: bytes, file_name: str, fallback: str
) -> StagedUpload:
    """Stage ``content`` for material ``code`` of the draft ``token`` (the one
    staged before for it is replaced). Raises the case service's refusal
    (``upload_invalid``) for a file that is not a PDF, JPG, PNG or OFD."""
    content_type = detect_type(content, fallback)
    name = safe_file_name(file_name, content_type=content_type, fallback=fallback)
    with transaction.atomic():
        for old in StagedUpload.objects.filter(user=user, token=token, code=code):
            _delete(old)
        staged = StagedUpload(
            user=user,
            token=token,
            code=code,
            file_name=name,
            content_type=content_type,
            size=len(content),
        )
        staged.file.save(f"{code}", ContentFile(content), save=False)
        staged.save()
    return staged


def staged_uploads_for(*, user: Any, token: str) -> dict[str, StagedUpload]:
    """The files staged for the draft, by material code (the account's own only)."""
    if not token or not getattr(user, "pk", None):
        return {}
    return {s.code: s for s in StagedUpload.objects.filter(user=user, token=token)}


def staged_upload_content(staged: StagedUpload) -> bytes:
    with staged.file.open("rb") as handle:
        return bytes(handle.read())


def staged_upload_remove(*, user: Any, token: str, code: str) -> None:
    for staged in StagedUpload.objects.filter(user=user, token=token, code=code):
        _delete(staged)


def staged_uploads_move(*, user: Any, old: str, new: str) -> None:
    """Carry the files of an expired form token over to its replacement."""
    if old and new and old != new:
        StagedUpload.objects.filter(user=user, token=old).update(token=new)


def staged_uploads_discard(*, user: Any, token: str) -> None:
    """After the application went in: its staged files are no longer needed."""
    for staged in StagedUpload.objects.filter(user=user, token=token):
        _delete(staged)


def staged_uploads_expire(*, now: dt.datetime | None = None) -> int:
    """Delete files staged longer ago than ``TONGBAN_STAGED_UPLOAD_HOURS``; the number."""
    cutoff = (now or clock.now()) - dt.timedelta(hours=settings.TONGBAN_STAGED_UPLOAD_HOURS)
    count = 0
    for staged in StagedUpload.objects.filter(created_at__lt=cutoff).iterator():
        _delete(staged)
        count += 1
    return count


def _delete(staged: StagedUpload) -> None:
    if staged.file:
        staged.file.delete(save=False)
    staged.delete()
