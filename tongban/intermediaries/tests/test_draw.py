"""The random draw of a purchase: committed before sign-up closes, run once over the
ordered eligible candidates, verifiable from the published data by scripts/verify_draw.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from tongban.core import draw, draws
from tongban.core.errors import DomainError
from tongban.core.models import DrawRecord, DrawState
from tongban.intermediaries import errors
from tongban.intermediaries.models import Purchase, PurchaseStatus, SignupStatus
from tongban.intermediaries.services import (
    agency_penalty_record,
    purchase_draw_run,
    purchase_select,
    purchase_signup,
)
from tongban.intermediaries.tests.conftest import CLOSES, T0
from tongban.intermediaries.tests.helpers import publish

VERIFIER = Path(__file__).resolve().parents[3] / "scripts" / "verify_draw.py"
AFTER = CLOSES + dt.timedelta(minutes=1)


def record_of(purchase: Purchase) -> DrawRecord:
    return DrawRecord.objects.get(public_id=str(purchase.draw_public_id))


def result_of(record: DrawRecord) -> list[str]:
    return list(record.result or [])


def _drawn(world, agencies):
    purchase = publish(world, method="random")
    for i, agency in enumerate(agencies):
        purchase_signup(purchase=purchase, agency=agency, now=T0 + dt.timedelta(hours=i))
    return purchase


def test_the_commitment_is_published_at_publication_and_the_seed_only_after_the_draw(world):
    purchase = _drawn(world, world.agencies[:3])
    record = record_of(purchase)
    assert record.state == DrawState.OPEN and len(record.commitment) == 64
    assert draws.draw_document(record).keys().isdisjoint({"seed", "candidates", "result"})
    with pytest.raises(DomainError) as exc:
        purchase_draw_run(purchase=purchase, now=T0 + dt.timedelta(days=1))
    assert exc.value.code == "purchase_invalid_state"  # sign-up still open
    with pytest.raises(DomainError) as exc:
        purchase_select(purchase=purchase, signup_id=1, reason="我想选这家", now=AFTER)
    assert exc.value.code == "selection_invalid"  # the buyer cannot pick in a random purchase


def test_the_draw_verifies_from_the_published_document_with_the_shipped_verifier(world, tmp_path):
    purchase = _drawn(world, world.agencies[:3])
    purchase = purchase_draw_run(purchase=purchase, now=AFTER)
    assert purchase.status == PurchaseStatus.PUBLICITY
    record = record_of(purchase)
    assert draws.draw_candidates(record) == sorted(a.credit_code for a in world.agencies[:3])
    assert purchase.selected is not None
    assert record.result == [purchase.selected.agency.credit_code]
    assert draw.commitment(record.seed) == record.commitment
    doc = draws.draw_document(record)
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    listed = draws.snapshot_bytes(draws.draw_candidates(record))  # the list's own file, beside
    (tmp_path / f"{record.candidates_sha256}.json").write_bytes(listed)
    ok = subprocess.run([sys.executable, str(VERIFIER), str(path)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    # Any other input gives another outcome, and the verifier says so.
    others = [a for a in draws.draw_candidates(record) if a != record.result[0]]
    for tampered in (
        {**doc, "result": [others[0]]},
        {**doc, "candidates": others},
        {**doc, "seed": draw.new_seed()},
    ):
        path.write_text(json.dumps(tampered, ensure_ascii=False), encoding="utf-8")
        bad = subprocess.run([sys.executable, str(VERIFIER), str(path)], capture_output=True)
        assert bad.returncode == 1


def test_changing_the_seed_or_any_candidate_changes_the_outcome(world):
    candidates = [f"9132010000000{i:04d}X" for i in range(200)]
    seed = draw.new_seed()
    order = draw.pick(seed, candidates, len(candidates))  # the whole drawn order
    assert draw.pick(seed, list(reversed(candidates)), len(candidates)) == order
    assert draw.pick(draw.new_seed(), candidates, len(candidates)) != order
    fewer = candidates[1:]
    assert draw.pick(seed, fewer, len(fewer)) != [c for c in order if c != candidates[0]]
    more = [*candidates, "91320100000009999X"]
    assert [c for c in draw.pick(seed, more, len(more)) if c in order] != order


def test_the_draw_cannot_be_rerun_with_another_seed_or_other_candidates(world):
    purchase = _drawn(world, world.agencies[:3])
    purchase = purchase_draw_run(purchase=purchase, now=AFTER)
    record = record_of(purchase)
    winner = result_of(record)
    with pytest.raises(DomainError) as exc:
        purchase_draw_run(purchase=purchase, now=AFTER)
    assert exc.value.code == "purchase_invalid_state"
    with pytest.raises(DomainError) as exc:
        draws.draw_run(
            record, candidates=list(draws.draw_candidates(record) or [])[:2], k=1, actor=None
        )
    assert exc.value.code == "draw_already_run"
    # Opening the same purchase's draw again answers the same commitment: no second seed.
    again = draws.draw_open(purpose="intermediaries.purchase", subject=purchase.code, actor=None)
    assert again.pk == record.pk and again.commitment == record.commitment
    assert DrawRecord.objects.get(pk=record.pk).result == winner


def test_an_agency_restricted_after_sign_up_is_not_a_candidate(world):
    purchase = _drawn(world, world.agencies[:3])
    agency_penalty_record(
        agency=world.agencies[1],
        kind="suspension",
        reason="出具虚假报告",
        decided_by="江苏省生态环境厅",
        region_code="320000",
        starts_at=T0,
        now=T0,
    )
    purchase = purchase_draw_run(purchase=purchase, now=AFTER)
    record = record_of(purchase)
    assert world.agencies[1].credit_code not in (draws.draw_candidates(record) or [])
    assert purchase.signups.get(agency=world.agencies[1]).status == SignupStatus.EXCLUDED


def test_a_draw_with_no_eligible_sign_up_fails_the_purchase(world):
    purchase = _drawn(world, [])
    purchase = purchase_draw_run(purchase=purchase, now=AFTER)
    assert purchase.status == PurchaseStatus.FAILED


def _snapshot_of(codes: list[str]) -> str:
    name = draws.snapshot_name(hashlib.sha256(draws.snapshot_bytes(sorted(codes))).hexdigest())
    default_storage.delete(name)  # an earlier test's draw of the same list (storage outlives it)
    return name


def test_a_draw_whose_purchase_fails_after_it_leaves_no_candidate_file(world, monkeypatch):
    purchase = _drawn(world, world.agencies[:3])
    name = _snapshot_of([a.credit_code for a in world.agencies[:3]])

    def failing(*args, **kwargs):
        assert default_storage.exists(name)  # the list was written by the draw
        raise DomainError(errors.PURCHASE_INVALID_STATE, "之后的一步失败")

    monkeypatch.setattr("tongban.intermediaries.services.draw.record_selection", failing)
    with pytest.raises(DomainError):
        purchase_draw_run(purchase=purchase, now=AFTER)
    assert not default_storage.exists(name)
    assert record_of(purchase).state == DrawState.OPEN
    assert Purchase.objects.get(pk=purchase.pk).status == PurchaseStatus.SIGNUP
    monkeypatch.undo()
    purchase = purchase_draw_run(purchase=purchase, now=AFTER)  # committed: the file stays
    record = record_of(purchase)
    assert default_storage.exists(name) and draws.snapshot_name(record.candidates_sha256) == name
    assert draws.draw_verify(draws.draw_document(record))
