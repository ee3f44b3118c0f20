"""What an ID token and the userinfo endpoint say about a user (R-ID-1).

Scopes a client may ask for, beyond ``openid``:

- ``profile``: ``name`` (the real name of a real-named person, else the
  account's display name), ``preferred_username``;
- ``realname``: ``account_kind``, ``real_name_level`` (0–3) and its label,
  ``id_number_masked`` (GB 11643, first 6 and last 4 only: the full number
  is never released here; a department that needs it asks the sharing
  platform with a purpose, which is logged);
- ``business``: ``legal_entities`` the account may act for now
  (统一社会信用代码, name, role);
- ``staff``: ``departments`` and ``roles`` of the staff account's active posts.

A claim not covered by a granted scope is left out.
"""

from __future__ import annotations

from typing import Any

from tongban.identity.models import AccountKind, RealNameLevel, User
from tongban.identity.selectors import authorizations_for_user
from tongban.org.models import StaffAssignment

SCOPES: dict[str, str] = {
    "openid": "登录（账号标识）",
    "profile": "姓名和用户名",
    "realname": "实名等级和脱敏身份号码",
    "business": "可代表办事的企业（统一社会信用代码、名称、身份）",
    "staff": "工作人员的所在部门和岗位",
}
DEFAULT_SCOPES = ["openid"]

CLAIM_SCOPES: dict[str, str] = {
    "sub": "openid",
    "name": "profile",
    "preferred_username": "profile",
    "account_kind": "realname",
    "real_name_level": "realname",
    "real_name_level_label": "realname",
    "id_number_masked": "realname",
    "legal_entities": "business",
    "departments": "staff",
    "roles": "staff",
}


def name(user: User) -> str:
    person = user.person
    return person.name if person is not None else user.display_name


def id_number_masked(user: User) -> str:
    return user.person.id_number_masked if user.person is not None else ""


def real_name_level_label(user: User) -> str:
    return RealNameLevel(user.real_name_level).label


def legal_entities(user: User) -> list[dict[str, str]]:
    if user.kind != AccountKind.BUSINESS:
        return []
    return [
        {"credit_code": a.legal_entity.credit_code, "name": a.legal_entity.name, "role": a.role}
        for a in authorizations_for_user(user=user)
    ]


def _assignments(user: User) -> list[StaffAssignment]:
    if user.kind != AccountKind.STAFF:
        return []
    return list(
        StaffAssignment.objects.filter(user_id=user.pk, active=True)
        .select_related("department")
        .order_by("department_id", "role")
    )


def departments(user: User) -> list[dict[str, Any]]:
    seen: dict[int, dict[str, Any]] = {}
    for a in _assignments(user):
        seen.setdefault(
            a.department_id,
            {
                "id": a.department_id,
                "name": a.department.name,
                "credit_code": a.department.credit_code,
                "region_code": a.department.region_id,
            },
        )
    return list(seen.values())


def roles(user: User) -> list[dict[str, Any]]:
    return [
        {"role": a.role, "label": a.get_role_display(), "department_id": a.department_id}
        for a in _assignments(user)
    ]
