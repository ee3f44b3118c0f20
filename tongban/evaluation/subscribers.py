"""Reactions to the cases' events (``case.<action>`` from the outbox).

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
