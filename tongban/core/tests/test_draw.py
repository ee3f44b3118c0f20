"""The verifiable random draw (docs/draws.md): the pure engine, the services
that publish a commitment and run once, the public document and page, and
the standalone verifier script re-running it from the published data."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tongban.core import draw
from tongban.core.draws import (
    draw_candidates,
    draw_document,
    draw_open,
    draw_run,
    draw_verify,
    snapshot_bytes,
    snapshot_name,
)
from tongban.core.errors import DomainError
from tongban.core.models import DrawRecord

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "verify_draw.py"
SEED = hashlib.sha256(b"tongban test seed").hexdigest()
AGENCIES = [f"9144030000000{n:05d}" for n in range(40)]


def _verifier():
    spec = importlib.util.spec_from_file_location("verify_draw", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_commitment_is_the_sha256_of_the_seed_bytes():
    assert draw.commitment(SEED) == hashlib.sha256(bytes.fromhex(SEED)).hexdigest()
    assert len(draw.new_seed()) == 64 and draw.new_seed() != draw.new_seed()


def test_a_draw_is_a_function_of_the_seed_and_the_set_of_candidates():
    first = draw.pick(SEED, AGENCIES, 5)
    assert first == draw.pick(SEED, AGENCIES, 5)
    assert first == draw.pick(SEED, list(reversed(AGENCIES)), 5)  # the order given cannot steer it
    assert len(set(first)) == 5 and set(first) <= set(AGENCIES)
    assert draw.pick(SEED, AGENCIES, 3) == first[:3]  # picks come in order


@pytest.mark.parametrize(
    "change",
    [
        lambda seed, pool: (hashlib.sha256(b"another").hexdigest(), pool),
        lambda seed, pool: (seed, pool[:-1]),
        lambda seed, pool: (seed, [*pool, "91440300000000099X"]),
        lambda seed, pool: (
            seed,
            [p.replace("00000", "00001", 1) if i == 7 else p for i, p in enumerate(pool)],
        ),
    ],
    ids=["other seed", "one candidate fewer", "one candidate more", "one candidate changed"],
)
def test_changing_any_input_changes_the_outcome(change):
    seed, pool = change(SEED, AGENCIES)
    assert draw.pick(seed, pool, 10) != draw.pick(SEED, AGENCIES, 10)


def test_another_label_draws_another_stream():
    assert draw.pick(SEED, AGENCIES, 10, label="A") != draw.pick(SEED, AGENCIES, 10, label="B")


def test_more_places_than_candidates_takes_everyone_and_bad_lists_are_refused():
    assert sorted(draw.pick(SEED, AGENCIES[:3], 10)) == sorted(AGENCIES[:3])
    with pytest.raises(draw.DrawInputError, match="twice"):
        draw.pick(SEED, ["a", "b", "a"], 1)
    with pytest.raises(draw.DrawInputError, match="line break"):
        draw.pick(SEED, ["a\nb"], 1)
    with pytest.raises(draw.DrawInputError, match="line break"):
        draw.pick(SEED, ["b", "a\rc"], 1)
    with pytest.raises(draw.DrawInputError, match="non-empty"):
        draw.pick(SEED, ["b", ""], 1)
    with pytest.raises(draw.DrawInputError, match="non-empty"):
        draw.canonical([3, 1])  # type: ignore[list-item]
    assert draw.canonical([]) == [] and draw.canonical(["b", "a"]) == ["a", "b"]
    with pytest.raises(draw.DrawInputError, match="hex"):
        draw.pick("XYZ", AGENCIES, 1)
    with pytest.raises(draw.DrawInputError, match="two strata"):
        draw.pick_strata(SEED, {"A": (["x", "y"], 1), "B": (["y"], 1)})


def test_every_candidate_is_equally_likely():
    """2,000 seeds drawing 1 of 8: each candidate wins 250 ± 4 sigma times."""
    pool = [f"c{i}" for i in range(8)]
    wins = Counter(
        draw.pick(hashlib.sha256(str(n).encode()).hexdigest(), pool, 1)[0] for n in range(2000)
    )
    assert set(wins) == set(pool)
    sigma = (2000 * (1 / 8) * (7 / 8)) ** 0.5
    assert all(abs(count - 250) < 4 * sigma for count in wins.values()), wins


def test_the_standalone_verifier_is_the_same_algorithm():
    verifier = _verifier()
    for n in range(50):
        seed = hashlib.sha256(f"v{n}".encode()).hexdigest()
        pool = AGENCIES[: 1 + n % 40]
        assert verifier.sample(seed, pool, 1 + n % 7, f"L{n % 3}") == draw.pick(
            seed, pool, 1 + n % 7, label=f"L{n % 3}"
        )


@pytest.mark.django_db
def test_open_publishes_only_the_commitment_and_the_seed_stays_sealed():
    record = draw_open(purpose="agency", subject="purchase:1", actor=None, title="测绘服务采购")
    assert record.state == "open" and record.seed == "" and record.result is None
    stored = DrawRecord.objects.values().get(pk=record.pk)
    doc = draw_document(record)
    assert "seed" not in doc and doc["commitment"] == record.commitment
    # Nothing stored in the clear lets the database reader learn the seed.
    assert all(
        len(str(value)) != 64 or value == record.commitment
        for value in stored.values()
        if isinstance(value, str)
    )
    # Opening again (a retried request) keeps the first commitment.
    assert draw_open(purpose="agency", subject="purchase:1", actor=None).pk == record.pk


@pytest.mark.django_db
def test_a_draw_runs_once_reveals_a_seed_that_matches_and_verifies():
    record = draw_open(purpose="agency", subject="purchase:2", actor=None)
    commitment = record.commitment
    done = draw_run(record, actor=None, candidates=AGENCIES, k=3)
    assert done.state == "drawn" and draw.commitment(done.seed) == commitment
    assert done.result == draw.pick(done.seed, AGENCIES, 3)
    assert draw_verify(draw_document(done))
    # The same call again (a retry) answers the stored result.
    assert (
        draw_run(record, actor=None, candidates=list(reversed(AGENCIES)), k=3).result == done.result
    )
    # A re-roll with another list or another count is refused, nothing changed.
    for pool, k in ((AGENCIES[1:], 3), (AGENCIES, 4)):
        with pytest.raises(DomainError) as refused:
            draw_run(record, actor=None, candidates=pool, k=k)
        assert refused.value.code == "draw_already_run"
    assert DrawRecord.objects.get(pk=record.pk).result == done.result


@pytest.mark.django_db
def test_bad_draws_are_refused_with_a_code_and_nothing_changes():
    record = draw_open(purpose="inspection", subject="plan:1", actor=None)
    for kwargs, code in (
        ({"candidates": [], "k": 1}, "draw_empty_pool"),
        ({"candidates": AGENCIES, "k": 0}, "draw_invalid"),
        ({"candidates": ["a", "a"], "k": 1}, "draw_invalid"),
        ({"strata": {"A": ([], 1), "B": ([], 2)}}, "draw_empty_pool"),
        ({"strata": {"A": (["x", "y"], 1), "B": (["y"], 1)}}, "draw_invalid"),
    ):
        with pytest.raises(DomainError) as refused:
            draw_run(record, actor=None, **kwargs)
        assert refused.value.code == code
    assert DrawRecord.objects.get(pk=record.pk).state == "open"


@pytest.mark.django_db
def test_strata_draw_each_class_at_its_own_rate():
    record = draw_open(purpose="inspection", subject="plan:2", actor=None)
    done = draw_run(record, actor=None, strata={"A": (AGENCIES[:30], 2), "D": (AGENCIES[30:], 5)})
    result: dict[str, list[str]] = done.result or {}
    assert len(result["A"]) == 2 and len(result["D"]) == 5
    assert set(result["D"]) <= set(AGENCIES[30:])
    assert draw_verify(draw_document(done))


@pytest.mark.django_db
def test_the_published_document_verifies_with_the_script_and_a_changed_one_does_not(
    client, tmp_path
):
    record = draw_run(
        draw_open(purpose="expert", subject="tender:9", actor=None),
        actor=None,
        candidates=AGENCIES,
        k=5,
    )
    answer = client.get(f"/api/v1/draws/{record.public_id}")
    assert answer.status_code == 200
    doc = answer.json()
    assert doc["result"] == record.result and doc["seed"] == record.seed
    good = tmp_path / "draw.json"
    good.write_text(json.dumps(doc), encoding="utf-8")
    run = subprocess.run([sys.executable, str(SCRIPT), str(good)], capture_output=True, text=True)
    assert run.returncode == 1 and "candidate list" in run.stdout  # the list is its own file
    listed = client.get(doc["candidates_file"]["url"])
    assert listed.status_code == 200
    data = b"".join(listed.streaming_content)
    assert hashlib.sha256(data).hexdigest() == doc["candidates_file"]["sha256"]
    assert len(data) == doc["candidates_file"]["size"] and doc["candidates_file"]["count"] == 40
    (tmp_path / f"{doc['candidates_file']['sha256']}.json").write_bytes(data)  # beside the doc
    run = subprocess.run([sys.executable, str(SCRIPT), str(good)], capture_output=True, text=True)
    assert run.returncode == 0 and "VERIFIED" in run.stdout
    changed = tmp_path / "changed.json"  # one candidate swapped for another: refused
    changed.write_bytes(data.replace(AGENCIES[7].encode(), AGENCIES[7][:-1].encode() + b"X"))
    run = subprocess.run(
        [sys.executable, str(SCRIPT), str(good), str(changed)], capture_output=True, text=True
    )
    assert run.returncode == 1 and "SHA-256" in run.stdout
    winner_swapped = dict(
        doc,
        result=[
            AGENCIES[0] if doc["result"][0] != AGENCIES[0] else AGENCIES[1],
            *doc["result"][1:],
        ],
    )
    other_seed = dict(doc, seed=hashlib.sha256(b"x").hexdigest())
    for bad in (winner_swapped, other_seed):
        good.write_text(json.dumps(bad), encoding="utf-8")
        run = subprocess.run(
            [sys.executable, str(SCRIPT), str(good)], capture_output=True, text=True
        )
        assert run.returncode == 1 and "NOT VERIFIED" in run.stdout


@pytest.mark.django_db
def test_the_public_page_shows_commitment_then_result(client):
    record = draw_open(purpose="agency", subject="purchase:3", actor=None, title="环评服务采购")
    page = client.get(f"/draws/{record.public_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert record.commitment in text and 'data-draw-state="open"' in text
    draw_run(record, actor=None, candidates=AGENCIES, k=2)
    text = client.get(f"/draws/{record.public_id}/").content.decode()
    assert "复核通过" in text and DrawRecord.objects.get(pk=record.pk).seed in text
    download = client.get(f"/draws/{record.public_id}/?format=json")
    assert draw_verify(json.loads(download.content))
    assert client.get("/draws/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/api/v1/draws/00000000-0000-0000-0000-000000000000").status_code == 404


@pytest.mark.django_db
def test_the_candidate_list_is_a_snapshot_file_named_by_its_digest_and_checked(client):
    record = draw_open(purpose="inspection", subject="plan:snap", actor=None)
    done = draw_run(record, actor=None, strata={"A": (AGENCIES[:30], 2), "D": (AGENCIES[30:], 5)})
    assert done.candidates is None and done.candidates_count == 40
    name = snapshot_name(done.candidates_sha256)
    with default_storage.open(name, "rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == done.candidates_sha256
    assert len(data) == done.candidates_size
    assert draw_candidates(done) == {"A": sorted(AGENCIES[:30]), "D": sorted(AGENCIES[30:])}
    doc = draw_document(done)
    assert "candidates" not in doc and doc["candidates_file"]["sha256"] == done.candidates_sha256
    assert draw_verify(doc)
    # The same list drawn again elsewhere is the same file.
    again = draw_run(
        draw_open(purpose="inspection", subject="plan:snap2", actor=None),
        actor=None,
        strata={"A": (AGENCIES[:30], 1), "D": (AGENCIES[30:], 1)},
    )
    assert again.candidates_sha256 == done.candidates_sha256
    # A snapshot changed in storage no longer verifies, and the page says so.
    default_storage.delete(name)
    default_storage.save(name, ContentFile(data.replace(b"00001", b"00099")))
    assert not draw_verify(doc)
    page = client.get(f"/draws/{done.public_id}/").content.decode()
    assert "复核未通过" in page
    # Drawing the same list again replaces an altered file of the same size.
    draw_run(
        draw_open(purpose="inspection", subject="plan:snap3", actor=None),
        actor=None,
        strata={"A": (AGENCIES[:30], 1), "D": (AGENCIES[30:], 1)},
    )
    assert draw_verify(doc)
    default_storage.delete(name)
    assert not draw_verify(doc)
    assert client.get(f"/api/v1/draws/{done.public_id}/candidates").status_code == 404


@pytest.mark.django_db
def test_a_draw_recorded_before_snapshots_keeps_its_list_in_the_record(client):
    done = draw_run(
        draw_open(purpose="agency", subject="purchase:old", actor=None),
        actor=None,
        candidates=AGENCIES,
        k=3,
    )
    DrawRecord.objects.filter(pk=done.pk).update(  # as the migration left earlier rows
        candidates=sorted(AGENCIES), candidates_sha256="", candidates_size=None
    )
    old = DrawRecord.objects.get(pk=done.pk)
    doc = draw_document(old)
    assert doc["candidates"] == sorted(AGENCIES) and "candidates_file" not in doc
    assert draw_candidates(old) == sorted(AGENCIES) and draw_verify(doc)
    assert "复核通过" in client.get(f"/draws/{old.public_id}/").content.decode()
    assert client.get(f"/api/v1/draws/{old.public_id}/candidates").status_code == 404
    # Run again with the same inputs: the stored result, still from the record.
    assert draw_run(old, actor=None, candidates=AGENCIES, k=3).result == done.result


def test_the_snapshot_is_compact_json_with_sorted_keys_whatever_the_candidates():
    cases: list[Any] = [
        AGENCIES,
        [],
        {"D": ['引号"', "反斜杠\\"], "A": ["中文", "a"]},
        {"A": []},
        ["\x01控制"],
    ]
    for listed in cases:
        expected = json.dumps(listed, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        assert snapshot_bytes(listed) == expected.encode("utf-8")
