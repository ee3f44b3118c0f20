"""Reactions to events from the outbox: the cases' ``case.<action>`` and 好差评's own.

A case concluded (办结, or 即办件 concluded on the spot) invites its applicant
to rate it (DESIGN §3: "case_conclude → event → evaluation invites a rating").
The handler is idempotent: ``services.rating_invite`` sends once per case.
"""

from __future__ import annotations

from typing import Any

CONCLUDING_STEPS = ("case.conclude", "case.handle_immediately")


def on_case_concluded(*, event_id: Any, payload: dict[str, Any]) -> None:
    from tongban.evaluation.services import rating_invite

    rating_invite(case_no=str(payload.get("case_no") or ""))


def on_rectification_closed(*, event_id: Any, payload: dict[str, Any]) -> None:
    """A rectification closed with its outcome: the rater is told (idempotent)."""
    from tongban.evaluation.services import rectification_notify_outcome

    rectification_notify_outcome(rectification_id=int(payload.get("id") or 0))
