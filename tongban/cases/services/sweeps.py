"""Sweeps the scheduler runs over many cases (thin tasks in ``cases/tasks.py``).

行政许可法 第三十二条: an application neither accepted, refused nor answered with
a supplement notice within five working days of receipt counts as accepted on
the day of receipt.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

from django.db.models import QuerySet

from tongban.cases import deadlines, errors
from tongban.cases.models import Case, CaseStatus
from tongban.cases.services.transitions import case_deem_accept
from tongban.core import clock
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError

logger = logging.getLogger(__name__)

CHUNK = 2000


def cases_deem_accept_due(*, now: dt.datetime | None = None) -> list[str]:
    """Deem accepted every submitted case whose acceptance deadline has passed.

    Only ``submitted`` cases: a supplement notice (``supplement_requested``,
    ``supplemented``) was an answer within the meaning of 第三十二条. The stored
    ``acceptance_deadline`` narrows the query in SQL; the rule itself
    (``deadlines.deemed_accepted``) confirms each case, and the transition
    service refuses a case that moved on meanwhile, so the sweep is idempotent
    and safe beside a clerk accepting at the same moment. Returns the case
    numbers deemed accepted.
    """
    moment = now or clock.now()
    today = clock.local_date(moment)
    cal = get_calendar()
    due = Case.objects.filter(
        status=CaseStatus.SUBMITTED, acceptance_deadline__lt=today
    ).values_list("pk", "case_no", "received_on")
    done: list[str] = []
    for case_id, case_no, received_on in _keyset(due):
        try:
            if not deadlines.deemed_accepted(received_on, today, False, cal):
                continue
            case_deem_accept(case_id=case_id, now=moment)
        except DomainError as exc:
            if exc.code != errors.INVALID_TRANSITION.code:
                # e.g. calendar_year_unavailable: one case must not stop the rest.
                logger.warning("deemed acceptance of %s skipped: %s", case_no, exc)
            continue
        done.append(case_no)
    if done:
        logger.info("deemed accepted %d case(s)", len(done))
    return done


def _keyset(rows: QuerySet[Case, tuple[int, str, dt.date]]) -> Iterator[tuple[int, str, dt.date]]:
    """``rows`` in pages of ``CHUNK`` by primary key, each page read in full before
    its cases are changed (an open cursor over a table being written to is
    undefined on SQLite)."""
    last = 0
    while page := list(rows.filter(pk__gt=last).order_by("pk")[:CHUNK]):
        yield from page
        last = page[-1][0]
