"""实名认证 L2 (issue 14, item 2): the 人口基础信息库 confirms name and ID number.

Identity cannot read the base registries (it sits below them), so the check
lives here: read the population record keyed by the account's person's ID
number token, compare the name, refuse a deceased person, and on success
hand the raise to ``identity.services.real_name``. The answer is yes or no;
nothing of the registry's record is returned or stored.
"""

from __future__ import annotations

import datetime as dt

from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.errors import DomainError
from tongban.identity import errors as identity_errors
from tongban.identity.models import AccountKind, RealNameVerification, User
from tongban.identity.services.real_name import (
    REGISTRY_SOURCE,
    real_name_registry_confirmed,
    real_name_registry_refused,
)
from tongban.sharing.models import PopulationRecord


def real_name_verify_with_registry(
    *, user: User, now: dt.datetime | None = None
) -> RealNameVerification:
    """Raise ``user`` to L2 when the 自然人库 holds its person with the same name.
    Only a citizen's own account is checked (``permission_denied`` otherwise)."""
    now = now or clock.now()
    if user.kind != AccountKind.CITIZEN:
        raise DomainError(core_errors.PERMISSION_DENIED, "仅个人用户可进行人口库实名核验。")
    person = user.person if user.person_id else None
    if person is None:
        raise DomainError(
            identity_errors.REAL_NAME_NO_PERSON, "账号未关联自然人，请先完成实名注册。"
        )
    record = PopulationRecord.objects.filter(id_number_token=person.id_number_token).first()
    reason = ""
    if record is None:
        reason = "not_found"
    elif record.name != person.name:
        reason = "name_mismatch"
    elif record.deceased_on is not None:
        reason = "deceased"
    if reason:
        real_name_registry_refused(user=user, reason=reason, now=now)
        raise DomainError(
            identity_errors.REAL_NAME_REGISTRY_MISMATCH,
            "人口基础信息库未能核验您的姓名与身份号码。"
            "请确认注册信息无误，或携带身份证件到政务服务大厅窗口核验。",
        )
    return real_name_registry_confirmed(user=user, source=REGISTRY_SOURCE, now=now)
