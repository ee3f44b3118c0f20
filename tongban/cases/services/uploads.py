"""Uploaded materials: what the file is, and the name it is shown under.

* **Type from the content**, never from the name: PDF, JPEG, PNG, or OFD
  (GB/T 33190). An OFD is a zip container whose root holds ``OFD.xml``; it is
  opened as a zip and refused when it is not one, lacks ``OFD.xml``, has an
  entry that climbs out of the container, or inflates past
  ``TONGBAN_OFD_MAX_INFLATED_BYTES`` (a zip bomb).
* **A safe display name**: NFC-normalised; control, format and bidirectional
  override characters (U+202E turns ``txt.exe`` into ``exe.txt`` on screen)
  removed; any path part dropped; characters that file systems reserve
  replaced; at most 100 characters; and the extension that of the detected
  type, whatever the name said (``报告.exe`` holding a PDF is ``报告.pdf``).
"""

from __future__ import annotations

import io
import posixpath
import re
import unicodedata
import zipfile

from django.conf import settings

from tongban.cases import errors
from tongban.core.errors import DomainError

# content type → (magic prefix, extension shown)
TYPES: dict[str, tuple[bytes, str]] = {
    "application/pdf": (b"%PDF", ".pdf"),
    "image/jpeg": (b"\xff\xd8\xff", ".jpg"),
    "image/png": (b"\x89PNG\r\n\x1a\n", ".png"),
    "application/ofd": (b"PK\x03\x04", ".ofd"),
}
_RESERVED = re.compile(r'[<>:"/\\|?*]')
_SPACES = re.compile(r"\s+")
MAX_NAME = 100
MAX_OFD_ENTRIES = 10_000


def _refuse(where: str, detail: str) -> DomainError:
    return DomainError(errors.UPLOAD_INVALID, f"{where}：{detail}")


def _check_ofd(content: bytes, where: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _refuse(where, "OFD 文件已损坏（不是有效的 OFD 容器）") from None
    if len(entries) > MAX_OFD_ENTRIES:
        raise _refuse(where, "OFD 文件包含的部件过多")
    names = set()
    inflated = 0
    for entry in entries:
        name = entry.filename
        normal = posixpath.normpath(name)
        if name.startswith("/") or normal.startswith("..") or "\\" in name:
            raise _refuse(where, "OFD 文件包含非法路径")
        names.add(normal)
        inflated += entry.file_size
    if "OFD.xml" not in names:
        raise _refuse(where, "不是 OFD 文件（缺少 OFD.xml）；只接受 PDF、JPG、PNG 或 OFD 文件")
    if inflated > settings.TONGBAN_OFD_MAX_INFLATED_BYTES:
        limit = settings.TONGBAN_OFD_MAX_INFLATED_BYTES // (1024 * 1024)
        raise _refuse(where, f"OFD 文件解压后超过 {limit} MB")


def detect_type(content: bytes, where: str) -> str:
    """The content type of an upload from its bytes, or a refusal in Chinese."""
    limit = settings.TONGBAN_UPLOAD_MAX_BYTES
    if not content:
        raise _refuse(where, "文件为空")
    if len(content) > limit:
        raise _refuse(where, f"文件超过 {limit // (1024 * 1024)} MB")
    for content_type, (magic, _) in TYPES.items():
        if content.startswith(magic):
            if content_type == "application/ofd":
                _check_ofd(content, where)
            return content_type
    raise _refuse(where, "只接受 PDF、JPG、PNG 或 OFD 文件")


def safe_file_name(given: str, *, content_type: str, fallback: str) -> str:
    """The name an upload is stored and shown under (see the module docstring)."""
    text = unicodedata.normalize("NFC", given or "")
    # Cc controls (CR, LF, NUL…), Cf format characters (bidi overrides and
    # isolates, zero-width joiners), and lone surrogates (Cs).
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cf", "Cs"})
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = _SPACES.sub(" ", _RESERVED.sub("_", text)).strip().lstrip(".").strip()
    stem = text.rsplit(".", 1)[0] if "." in text else text
    stem = stem.strip(" .")[:MAX_NAME] or fallback
    return stem + TYPES[content_type][1]
