"""Files a guide offers for download: 空白表格 and 示例样表 (issue 20, item 4).

An editor uploads a blank form or a filled-in sample for one material of a
draft; it is checked to be what it says from its bytes (PDF; DOCX or XLSX: an
Office Open XML container with its main part, no macros, not a zip bomb),
stored once per item by its SHA-256 (``GuideFile``), and the material names it
as ``file:<key>``. The public downloads only files that the item's published
guide names, so a draft's files stay private until publication.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import posixpath
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from tongban.catalog import errors
from tongban.catalog.content import GuideContent
from tongban.catalog.models import GuideEvent, GuideFile, GuideStatus, GuideVersion, ServiceItem
from tongban.catalog.services import _locked, _require_editor, guide_content_parse
from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import DomainError

PREFIX = "file:"
KINDS = {"blank_form": "空白表格", "sample": "示例样表"}
# content type → (extension, label)
TYPES = {
    "application/pdf": (".pdf", "PDF"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx", "DOCX"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx", "XLSX"),
}
_MAIN_PARTS = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_ENTRIES = 10_000
ACCEPT = ".pdf,.docx,.xlsx"


def _refuse(detail: str) -> DomainError:
    return DomainError(errors.FILE_INVALID, detail)


def _office_type(content: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _refuse("文件已损坏，或不是 DOCX、XLSX、PDF 文件") from None
    if len(entries) > MAX_ENTRIES:
        raise _refuse("文件包含的部件过多")
    names = set()
    for entry in entries:
        normal = posixpath.normpath(entry.filename)
        if entry.filename.startswith("/") or normal.startswith("..") or "\\" in entry.filename:
            raise _refuse("文件包含非法路径")
        names.add(normal)
    if sum(e.file_size for e in entries) > settings.TONGBAN_OFD_MAX_INFLATED_BYTES:
        raise _refuse("文件解压后过大")
    if any(name.endswith("vbaProject.bin") for name in names):
        raise _refuse("不接受含宏的文件，请另存为 DOCX 或 XLSX")
    if "[Content_Types].xml" in names:
        for part, content_type in _MAIN_PARTS.items():
            if part in names:
                return content_type
    raise _refuse("只接受 DOCX、XLSX 或 PDF 文件")


def detect_file_type(content: bytes) -> str:
    """The content type of a blank form or sample, from its bytes, or a refusal."""
    if not content:
        raise _refuse("文件为空")
    if len(content) > settings.TONGBAN_UPLOAD_MAX_BYTES:
        limit = settings.TONGBAN_UPLOAD_MAX_BYTES // (1024 * 1024)
        raise _refuse(f"文件不能超过 {limit} MB")
    if content.startswith(b"%PDF"):
        return "application/pdf"
    if content.startswith(b"PK\x03\x04"):
        return _office_type(content)
    raise _refuse("只接受 DOCX、XLSX 或 PDF 文件")


def _display_name(given: str, content_type: str, fallback: str) -> str:
    text = unicodedata.normalize("NFC", given or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cf", "Cs"})
    text = text.replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".")
    for bad in '<>:"|?*':
        text = text.replace(bad, "_")
    stem = (text.rsplit(".", 1)[0] if "." in text else text).strip()[:100] or fallback
    return stem + TYPES[content_type][0]


def file_key(value: str) -> str:
    """The key of a ``file:<key>`` reference, or "" for a plain text."""
    return value.removeprefix(PREFIX) if value.startswith(PREFIX) else ""


def guide_file_attach(
    *,
    version: GuideVersion,
    material_code: str,
    kind: str,
    content: bytes,
    file_name: str,
    expected_revision: int,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> GuideVersion:
    """Store a blank form or sample and name it in one material of a draft."""
    moment = now or clock.now()
    if kind not in KINDS:
        raise _refuse("请选择空白表格或示例样表")
    content_type = detect_file_type(content)
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        locked = _locked(version.pk)
        _require_editor(actor, locked.service_item)
        if locked.status != GuideStatus.DRAFT:
            raise DomainError(errors.INVALID_TRANSITION, "只有草稿可以修改。")
        if locked.revision != expected_revision:
            raise DomainError(
                errors.STALE_REVISION,
                f"指南已被他人修改（当前第 {locked.revision} 次修订），请刷新后再改。",
            )
        guide = guide_content_parse(locked.content)
        material = next((m for m in guide.materials if m.code == material_code), None)
        if material is None:
            raise _refuse(f"指南中没有编码为 {material_code} 的材料")
        stored = GuideFile.objects.filter(service_item=locked.service_item, key=digest[:16]).first()
        if stored is None:
            stored = GuideFile(
                service_item=locked.service_item,
                key=digest[:16],
                name=_display_name(file_name, content_type, f"{material.name}{KINDS[kind]}"),
                content_type=content_type,
                size=len(content),
                sha256=digest,
                uploaded_at=moment,
                uploaded_by=actor if getattr(actor, "pk", None) else None,
            )
            stored.file.save(f"{digest[:16]}{TYPES[content_type][0]}", ContentFile(content))
        setattr(material, kind, PREFIX + stored.key)
        locked.content = guide.model_dump(mode="json")
        locked.revision += 1
        locked.updated_at = moment
        locked.updated_by = actor if getattr(actor, "pk", None) else None
        locked.save(update_fields=["content", "revision", "updated_at", "updated_by"])
        note = f"上传{material.name}的{KINDS[kind]}：{stored.name}"
        GuideEvent.objects.create(
            version=locked,
            at=moment,
            actor=actor if getattr(actor, "pk", None) else None,
            action="file",
            from_status=GuideStatus.DRAFT,
            to_status=GuideStatus.DRAFT,
            comment=note[:1000],
        )
        audit_record(
            actor=actor_label(actor),
            action="guide.file_attached",
            object_type="guide_version",
            object_id=str(locked.pk),
            details={"material": material_code, "kind": kind, "file": stored.key},
            now=moment,
        )
    return locked


@dataclass(frozen=True)
class FileLink:
    key: str
    name: str
    type_label: str
    size: int


def guide_file_links(item: ServiceItem, guide: GuideContent) -> dict[str, FileLink]:
    """The files the guide names, by key (one query)."""
    keys = {
        file_key(value)
        for m in guide.materials
        for value in (m.blank_form, m.sample)
        if file_key(value)
    }
    if not keys:
        return {}
    return {
        f.key: FileLink(f.key, f.name, TYPES.get(f.content_type, ("", "文件"))[1], f.size)
        for f in GuideFile.objects.filter(service_item=item, key__in=keys)
    }


def guide_file_get_public(item: ServiceItem, key: str) -> GuideFile:
    """A file the item's published guide names; ``not_found`` for any other."""
    version = item.current_version
    if version is None:
        raise DomainError(core_errors.NOT_FOUND, "未找到该文件。")
    guide = GuideContent.model_validate(version.content)
    if key not in {file_key(v) for m in guide.materials for v in (m.blank_form, m.sample)}:
        raise DomainError(core_errors.NOT_FOUND, "未找到该文件。")
    found = GuideFile.objects.filter(service_item=item, key=key).first()
    if found is None:
        raise DomainError(core_errors.NOT_FOUND, "未找到该文件。")
    return found


def guide_file_get_for_editor(item: ServiceItem, key: str) -> GuideFile:
    """Any file of the item, for its editors (the caller checked the scope)."""
    found = GuideFile.objects.filter(service_item=item, key=key).first()
    if found is None:
        raise DomainError(core_errors.NOT_FOUND, "未找到该文件。")
    return found
