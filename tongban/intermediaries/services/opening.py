"""Decrypting many bids at the opening in batches (开标批量解密).

:func:`bids_decrypt_batch` takes the decryption codes the bidders handed in at the
opening (bidder credit code → code) and opens their bids a batch at a time: the
opening key is released from the key ring once, each batch's envelopes are opened
in Python with no lock held, and the outcomes are written in one transaction
under the tender's lock (one ``bulk_update``, one audit event per batch). Each
batch is all-or-nothing; a bid that is no longer sealed when its batch is
written (decrypted meanwhile, or by an earlier run) is left as it is, so running
it again changes nothing. A code that does not match the SM3 stored at submission
is not an outcome: the bid stays sealed and the bidder may give its code again
until the opening closes. A code that matches but whose envelope does not open is
recorded **invalid** ("投标文件无法解密"), as :func:`trading.bid_decrypt` does for
one bid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from tongban.core import clock
from tongban.intermediaries import errors
from tongban.intermediaries.models import BidStatus, Tender, TenderBid, TenderStatus
from tongban.intermediaries.services.trading import (
    OUTCOME_FIELDS,
    _audit,
    _lock,
    _opening_private,
    _state,
    apply_reading,
    code_matches,
    read_envelope,
    refused,
)

BATCH_SIZE = 500


@dataclass
class OpeningOutcome:
    """What one run did: counts, and the bidders whose code was refused or unknown."""

    opened: int = 0
    invalid: int = 0
    unchanged: int = 0  # no longer sealed: decrypted before this run
    wrong_code: list[str] = field(default_factory=list)  # still sealed; may try again
    unknown: list[str] = field(default_factory=list)  # no bid of this bidder on the tender
    batches: int = 0


def _check_open(tender: Tender, now: dt.datetime, actor: Any) -> None:
    if tender.status == TenderStatus.BIDDING and now < tender.opening_time:
        raise refused(errors.OPENING_NOT_YET, "未到开标时间，不能解密。", tender, actor)
    _state(tender, TenderStatus.OPENING)


def bids_decrypt_batch(
    *,
    tender: Tender,
    codes: Mapping[str, str],
    batch_size: int = BATCH_SIZE,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> OpeningOutcome:
    """Open the bids of the bidders in ``codes`` (credit code → decryption code)."""
    now = now or clock.now()
    if not 1 <= batch_size <= 5000:
        raise ValueError("batch_size must be 1–5000")
    current = Tender.objects.get(pk=tender.pk)
    _check_open(current, now, actor)
    private = _opening_private(current, now)  # refuses before the deadline
    given = {b.strip().upper(): (code or "").strip().lower() for b, code in codes.items()}
    outcome = OpeningOutcome()
    found = dict(
        TenderBid.objects.filter(tender=current, bidder_code__in=list(given)).values_list(
            "bidder_code", "pk"
        )
    )
    outcome.unknown = sorted(set(given) - set(found))
    ids = [found[b] for b in sorted(found)]
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        # The cryptography runs first, outside any transaction: no lock is held for it.
        readings: dict[int, tuple[int, str] | None] = {}
        refused = 0
        for bid in TenderBid.objects.filter(pk__in=chunk, status=BidStatus.SEALED).only(
            "pk", "bidder_code", "envelope", "code_hash"
        ):
            code = given[bid.bidder_code]
            if not code_matches(code, bid.code_hash):
                outcome.wrong_code.append(bid.bidder_code)
                refused += 1
                continue
            readings[bid.pk] = read_envelope(current, private, bid, code)
        outcome.unchanged += len(chunk) - len(readings) - refused
        if not readings:
            continue
        with transaction.atomic():
            locked = _lock(current)
            _check_open(locked, now, actor)  # the opening may have closed meanwhile: write nothing
            sealed = list(
                TenderBid.objects.select_for_update()
                .filter(pk__in=list(readings), status=BidStatus.SEALED)
                .order_by("pk")
            )
            for bid in sealed:
                apply_reading(bid, readings[bid.pk], now)
            TenderBid.objects.bulk_update(sealed, OUTCOME_FIELDS)
            opened = [b.bidder_code for b in sealed if b.status == BidStatus.OPENED]
            invalid = [b.bidder_code for b in sealed if b.status == BidStatus.INVALID]
            _audit(locked, "bids_decrypt_batch", actor, now, opened=opened, invalid=invalid)
        outcome.opened += len(opened)
        outcome.invalid += len(invalid)
        outcome.unchanged += len(readings) - len(sealed)
        outcome.batches += 1
    outcome.wrong_code.sort()
    return outcome
