"""The one reader of ``If-Match`` (RFC 9110 §13.1.1) for versioned commands.

Every API command that changes a versioned row takes the version the caller
last saw as ``If-Match: "<version>"`` (the ``ETag`` of the read). The rules,
the same for every app:

- missing (or blank): ``None`` where the check is optional, else 428
  ``if_match_required`` (RFC 6585 §3) with a Chinese detail naming the action;
- one strong entity tag holding a version, ``"3"``, or the bare ``3``: 3;
- weak tags only (``W/"3"``): 412 ``version_mismatch`` — a weak tag cannot
  prove the row is unchanged (core.middleware.preconditions answers this before
  any handler runs, with the same detail; weak tags next to strong ones are
  dropped there);
- anything else — ``*``, a list of several versions, a half-quoted ``"3``,
  letters, more than nine digits: 400 ``malformed_request``.
"""

from __future__ import annotations

import re

from tongban.core import errors
from tongban.core.errors import DomainError

# RFC 6585 §3: 428 Precondition Required: a command that races needs If-Match.
IF_MATCH_REQUIRED = errors.define("if_match_required", 428, "缺少 If-Match")

# entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, in a comma-separated list.
_ENTITY_TAG = re.compile(r'\s*(W/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)')
_QUOTED_VERSION = re.compile(r'"([0-9]{1,9})"')
_BARE_VERSION = re.compile(r"[0-9]{1,9}")

WEAK_ONLY_DETAIL = (
    'If-Match 中只有弱校验标签（W/…），不能确认数据未被修改；请使用 ETag 的原值（如 "3"）。'
)


def parse_entity_tags(value: str) -> list[tuple[bool, str]] | None:
    """``[(weak, '"tag"'), …]`` of an If-Match list, or None if it is not one."""
    tags: list[tuple[bool, str]] = []
    position = 0
    value = value.strip()
    while position < len(value):
        match = _ENTITY_TAG.match(value, position)
        if match is None or match.end() == position:
            return None
        tags.append((match.group(1) is not None, match.group(2)))
        position = match.end()
    return tags or None


def if_match_version(
    if_match: str | None,
    *,
    what: str = "版本号",
    required: bool = False,
    action: str = "",
) -> int | None:
    """The version named by ``If-Match`` (see the module doc for the rules).

    ``what`` names the version in the Chinese detail (``"办件版本号"``);
    ``action`` the command that needs it when ``required`` (``"办理办件"``).
    """
    value = (if_match or "").strip()
    if not value:
        if required:
            raise DomainError(
                IF_MATCH_REQUIRED,
                f'{action or "此操作"}须在 If-Match 头中带上{what}（如 If-Match: "3"），'
                "以免覆盖他人的操作。",
            )
        return None
    bare = _BARE_VERSION.fullmatch(value)
    if bare is not None:
        return int(bare.group(0))
    tags = parse_entity_tags(value) if value != "*" else None
    if tags is not None and all(weak for weak, _ in tags):
        raise DomainError(errors.VERSION_MISMATCH, WEAK_ONLY_DETAIL)
    strong = [tag for weak, tag in tags or () if not weak]
    quoted = _QUOTED_VERSION.fullmatch(strong[0]) if len(strong) == 1 else None
    if quoted is None:
        raise DomainError(errors.MALFORMED_REQUEST, f'If-Match 须为{what}，如 "3"（取自 ETag）。')
    return int(quoted.group(1))
