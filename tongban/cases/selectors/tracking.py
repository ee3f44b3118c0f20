"""办件查询 without login: the case number and its 查询码, or the last ID digits."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from tongban.cases import workflow
from tongban.cases.models import Case
from tongban.cases.selectors._common import normalize_case_no, not_found, status_text
from tongban.core.masking import mask_name


@dataclass(frozen=True)
class TrackingStep:
    at: dt.datetime
    action_label: str
    status: str
    status_label: str


@dataclass(frozen=True)
class TrackingView:
    """What anyone holding the case number and its 查询码 may see: no staff, no
    reasons, the name masked. ``full`` is False for a look-up by the
    applicant's last ID digits: no item and no steps then."""

    case_no: str
    applicant_name_masked: str
    item_name: str
    status: str
    status_label: str
    received_on: dt.date
    decision_deadline: dt.date | None
    timeline: list[TrackingStep]
    full: bool = True


def case_track_public(
    *, case_no: str, code: str | None = None, id_last4: str | None = None
) -> TrackingView:
    """办件查询 without login: the case number and its 查询码 (the whole view),
    or a person applicant's last four ID characters (a reduced view: the status
    and dates, not the item or the steps).

    A wrong code, wrong digits and an unknown number give the same ``not_found``.
    """
    case = (
        Case.objects.select_related("service_item", "applicant_person")
        .filter(case_no=normalize_case_no(case_no))
        .first()
    )
    full = _code_matches(case, code)
    if case is None or not (full or _last4_matches(case, id_last4)):
        raise not_found()
    steps = [
        TrackingStep(
            at=event.at,
            action_label=workflow.ACTION_LABELS.get(event.action, event.action),
            status=event.to_status,
            status_label=status_text(event.to_status),
        )
        for event in case.events.exclude(to_status="").only("at", "action", "to_status")
    ]
    return TrackingView(
        case_no=case.case_no,
        applicant_name_masked=mask_name(case.applicant_name),
        item_name=case.service_item.name if full else "",
        status=case.status,
        status_label=status_text(case.status),
        received_on=case.received_on,
        decision_deadline=case.decision_deadline,
        timeline=steps if full else [],
        full=full,
    )


def _code_matches(case: Case | None, code: str | None) -> bool:
    given = "".join((code or "").split()).upper()
    if case is None or not case.tracking_code or len(given) != len(case.tracking_code):
        return False
    return hmac.compare_digest(given, case.tracking_code)


def _last4_matches(case: Case | None, last4: str | None) -> bool:
    """The last four characters of a person applicant's ID number: the masked
    copy keeps them, so nothing is decrypted."""
    given = (last4 or "").strip().upper()
    if case is None or case.applicant_person is None or len(given) != 4:
        return False
    return hmac.compare_digest(given, case.applicant_person.id_number_masked[-4:].upper())
