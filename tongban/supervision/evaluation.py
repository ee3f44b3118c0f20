"""Supervision of 差评整改: a read model over ``evaluation``'s rectifications.

Issue 15 item 3 (one place for the alerts): per department, the open
rectifications, those past their deadline without an answer (red, as the
scheduler escalates them once), the escalated and the appealed ones; scoped
like every staff read, in SQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q

from tongban.evaluation import workflow
from tongban.evaluation.models import Rectification
from tongban.evaluation.models import RectificationStatus as S
from tongban.org.selectors import scope_q, staff_scope_for


def rectification_alert_summary_for_staff(*, user: Any, today: dt.date) -> list[dict[str, Any]]:
    """Open rectifications per department, the most overdue first (one query)."""
    scope = staff_scope_for(user=user).for_roles(*workflow.READ_ROLES)
    unanswered = Q(status__in=(S.OPEN, S.ESCALATED))
    rows = (
        Rectification.objects.filter(status__in=workflow.OPEN_STATUSES)
        .filter(
            scope_q(scope=scope, region_path_field="region_path", department_field="department_id")
        )
        .values("department_id", "department__name")
        .annotate(
            open=Count("id"),
            overdue=Count("id", filter=unanswered & Q(due_on__lt=today)),
            escalated=Count("id", filter=Q(status=S.ESCALATED)),
            appealed=Count("id", filter=Q(status=S.APPEALED)),
        )
        .order_by("-overdue", "-open", "department_id")[:200]
    )
    return [
        {
            "department_id": r["department_id"],
            "department": r["department__name"],
            "open": r["open"],
            "overdue": r["overdue"],
            "escalated": r["escalated"],
            "appealed": r["appealed"],
        }
        for r in rows
    ]
