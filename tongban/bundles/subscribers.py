"""Reactions to the member cases' events (``case.<action>`` from cases, outbox).

Handlers are idempotent by construction: they read the case's current state
and bring the bundle in step with it (``services.progress.application_sync``),
so a repeated or late event changes nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tongban.bundles.models import BundleMember

# Every step of a member case that can move its bundle on.
CASE_STEPS = (
    "accept",
    "deem_accept",
    "refuse",
    "request_supplement",
    "supplement",
    "decide",
    "deliver",
    "conclude",
    "withdraw",
    "handle_immediately",
    "grant_on_commitment",
)


def on_case_step(*, event_id: Any, payload: dict[str, Any]) -> None:
    """A member case moved: bring its bundle in step."""
    from tongban.bundles.services.progress import application_sync

    case_no = str(payload.get("case_no") or "")
    application_id = (
        BundleMember.objects.filter(case__case_no=case_no)
        .values_list("application_id", flat=True)
        .first()
    )
    if application_id is not None:
        application_sync(application_id=application_id)


def on_case_submit(*, event_id: Any, payload: dict[str, Any]) -> None:
    """A case was submitted: link it to its investment project if it names one (R-PL-7)."""
    from tongban.bundles.services.projects import project_link_case
    from tongban.cases.models import Case

    case = Case.objects.filter(case_no=str(payload.get("case_no") or "")).first()
    if case is not None:
        project_link_case(case=case)


HANDLERS: dict[str, Callable[..., None]] = {
    **{f"case.{step}": on_case_step for step in CASE_STEPS},
    "case.submit": on_case_submit,
}
