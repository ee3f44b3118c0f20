"""The draw's faster path (issue 17) gives the draws it gave before; a failed
draw leaves no snapshot file; the public page checks a snapshot once."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import random
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db import transaction

from tongban.core import crypto, draw, draws
from tongban.core.draws import (
    draw_atomic,
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
CODES = [f"91320100P{(i * 7919) % 5000:09d}" for i in range(5000)]  # 5,000 codes, shuffled
STRATA = {
    "A": (CODES[:4000], 28),
    "B": (CODES[4000:4600], 8),
    "C": (CODES[4600:4900], 8),
    "D": (CODES[4900:], 5),
}
# Answers of the engine as it was before the faster path (commit df409fa):
# the same seed and candidates must draw the same entities, in the same order.
RESULT_SHA256 = "9025dce8783aca64c089d14ff5f05884ccfda9999d207895a910e32f2ee74d1a"
FIRST_THREE = {
    "A": ["91320100P000001432", "91320100P000004015", "91320100P000003583"],
    "B": ["91320100P000003781", "91320100P000003333", "91320100P000000569"],
    "C": ["91320100P000004901", "91320100P000000864", "91320100P000000515"],
    "D": ["91320100P000001592", "91320100P000002402", "91320100P000000377"],
}
CANDIDATES_DIGEST = "928e5d1e741634a838094d10d23a9c6f9ef01f77a63ea67014aec4ce20c209ae"
SNAPSHOT_SHA256 = "6ce493e1f26d296ab15c334abe8e4f7d9d8a92543401563e9311ca2077b0ca41"
POOL_PICK = [
    "91320100P000001816", "91320100P000002277", "91320100P000001844", "91320100P000000838",
    "91320100P000001872", "91320100P000001704", "91320100P000000168",
]  # fmt: skip


def _result_sha256(result: Any) -> str:
    return hashlib.sha256(json.dumps(result, sort_keys=True).encode()).hexdigest()


def _verifier():
    spec = importlib.util.spec_from_file_location("verify_draw", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_same_seed_draws_what_it_drew_before():
    result = draw.pick_strata(SEED, STRATA)
    assert {label: picked[:3] for label, picked in result.items()} == FIRST_THREE
    assert _result_sha256(result) == RESULT_SHA256
    assert draw.pick(SEED, CODES[:100], 7, label="pool") == POOL_PICK


def test_the_shortcut_pick_is_the_shuffle_the_standalone_verifier_runs():
    verifier = _verifier()
    rng = random.Random(17)
    for _ in range(40):
        pool = [f"P{rng.randrange(10**6):07d}" for _ in range(rng.randrange(1, 300))]
        pool = sorted(set(pool))
        k = rng.randrange(0, len(pool) + 3)
        label = rng.choice(["", "A", "层"])
        picked = draw.pick_canonical(SEED, pool, k, label=label)
        assert (
            picked == verifier.sample(SEED, pool, k, label) == draw.pick(SEED, pool, k, label=label)
        )
        assert pool == sorted(pool)  # the list given is not moved


def test_a_candidate_in_two_ordered_strata_is_named():
    with pytest.raises(draw.DrawInputError, match="91320100P000000007"):
        draw.check_disjoint_ordered([["91320100P000000001", "91320100P000000007"],
                                     ["91320100P000000007", "91320100P000000009"]])  # fmt: skip
    draw.check_disjoint_ordered([["a", "c"], ["b", "d"], []])


def _fixed_seed(record: DrawRecord) -> DrawRecord:
    """The record's sealed seed replaced by SEED, as if the platform had made it."""
    record.seed_sealed = crypto.encrypt(SEED, context="core.drawrecord.seed")
    record.commitment = draw.commitment(SEED)
    record.save(update_fields=["seed_sealed", "commitment"])
    return record


@pytest.mark.django_db
def test_a_recorded_draw_with_the_same_seed_gives_the_same_result_digest_and_file():
    record = _fixed_seed(draw_open(purpose="inspection", subject="plan:kat", actor=None))
    done = draw_run(record, actor=None, strata=STRATA)
    assert _result_sha256(done.result) == RESULT_SHA256
    assert done.candidates_digest == CANDIDATES_DIGEST
    assert done.candidates_sha256 == SNAPSHOT_SHA256
    stored = {label: sorted(members) for label, (members, _k) in STRATA.items()}
    assert hashlib.sha256(snapshot_bytes(stored)).hexdigest() == SNAPSHOT_SHA256
    assert draw_verify(draw_document(done))
    assert done.result is not None and list(done.result) == list(STRATA)  # the order given
    plain = draw_run(
        _fixed_seed(draw_open(purpose="inspection", subject="pool:kat", actor=None)),
        actor=None, candidates=CODES[:100], k=7,
    )  # fmt: skip
    assert plain.result == draw.pick(SEED, CODES[:100], 7)
    assert plain.candidates_digest == draw.candidates_digest(CODES[:100])
    assert draw_verify(draw_document(plain))


@pytest.mark.django_db
def test_a_draw_that_fails_after_writing_its_list_leaves_no_file():
    listed = [f"91320100Q{i:09d}" for i in range(50)]
    name = snapshot_name(hashlib.sha256(snapshot_bytes(sorted(listed))).hexdigest())
    record = draw_open(purpose="agency", subject="purchase:orphan", actor=None)
    with pytest.raises(DomainError), draw_atomic():
        draw_run(record, actor=None, candidates=listed, k=2)
        assert default_storage.exists(name)  # written, not yet committed
        raise DomainError(draws.DRAW_INVALID, "之后的一步失败")
    assert not default_storage.exists(name)
    record.refresh_from_db()
    assert record.state == "open" and not record.candidates_sha256
    # A file that a recorded draw names is kept when another draw of it fails.
    done = draw_run(record, actor=None, candidates=listed, k=2)
    assert default_storage.exists(name)
    other = draw_open(purpose="agency", subject="purchase:orphan2", actor=None)
    with pytest.raises(DomainError), draw_atomic():
        draw_run(other, actor=None, candidates=listed, k=3)
        raise DomainError(draws.DRAW_INVALID, "之后的一步失败")
    assert default_storage.exists(name) and draw_verify(draw_document(done))


@pytest.mark.django_db
def test_a_draw_of_the_same_list_committed_during_the_cleanup_keeps_its_file(monkeypatch):
    """Another draw of the same list, which found the file present, commits
    between the failed draw's check and its delete: the file is put back."""
    listed = [f"91320100R{i:09d}" for i in range(30)]
    sha256 = hashlib.sha256(snapshot_bytes(sorted(listed))).hexdigest()
    name = snapshot_name(sha256)
    other = draw_open(purpose="agency", subject="purchase:race-b", actor=None)
    delete = default_storage.delete

    def delete_as_the_other_commits(path: str) -> None:
        DrawRecord.objects.filter(pk=other.pk).update(candidates_sha256=sha256)
        delete(path)

    monkeypatch.setattr(default_storage, "delete", delete_as_the_other_commits)
    record = draw_open(purpose="agency", subject="purchase:race-a", actor=None)
    with pytest.raises(DomainError), draw_atomic():
        draw_run(record, actor=None, candidates=listed, k=2)
        raise DomainError(draws.DRAW_INVALID, "之后的一步失败")
    monkeypatch.undo()
    assert default_storage.exists(name)
    with default_storage.open(name, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == sha256


@pytest.mark.django_db
def test_a_committed_draw_in_a_callers_own_transaction_is_no_longer_watched(
    django_capture_on_commit_callbacks,
):
    listed = [f"91320100S{i:09d}" for i in range(20)]
    name = snapshot_name(hashlib.sha256(snapshot_bytes(sorted(listed))).hexdigest())
    record = draw_open(purpose="agency", subject="purchase:commit", actor=None)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        draw_run(record, actor=None, candidates=listed, k=2)
        assert name in draws._written_names()
    assert name not in draws._written_names() and default_storage.exists(name)


@pytest.mark.django_db
def test_the_public_page_checks_a_snapshot_once_per_published_document(client, monkeypatch):
    done = draw_run(
        draw_open(purpose="inspection", subject="plan:page-cache", actor=None),
        actor=None,
        strata={"A": ([f"91320100R{i:09d}" for i in range(300)], 3), "D": (["91320100R999"], 1)},
    )
    reads: list[tuple[Any, ...]] = []
    real = draws.snapshot_read

    def counted(*args: Any) -> Any:
        reads.append(args)
        return real(*args)

    monkeypatch.setattr(draws, "snapshot_read", counted)
    for _ in range(3):
        page = client.get(f"/draws/{done.public_id}/").content.decode()
        assert "复核通过" in page and "91320100R000000199" in page and "共 300 个" in page
    assert len(reads) == 1
    # The file gone (its size no longer the recorded one): checked again, and it fails.
    default_storage.delete(snapshot_name(done.candidates_sha256))
    assert "复核未通过" in client.get(f"/draws/{done.public_id}/").content.decode()
    assert len(reads) == 2


@pytest.mark.django_db
def test_a_snapshot_rewritten_with_the_same_size_is_checked_again(
    client, settings, tmp_path, monkeypatch
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    listed = [f"91320100T{i:09d}" for i in range(300)]
    done = draw_run(
        draw_open(purpose="inspection", subject="plan:stat-cache", actor=None),
        actor=None,
        candidates=listed,
        k=3,
    )
    path = tmp_path / snapshot_name(done.candidates_sha256)
    original = path.read_bytes()
    reads: list[tuple[Any, ...]] = []
    real = draws.snapshot_read

    def counted(*args: Any) -> Any:
        reads.append(args)
        return real(*args)

    def page() -> str:
        return str(client.get(f"/draws/{done.public_id}/").content.decode())

    monkeypatch.setattr(draws, "snapshot_read", counted)
    # Just written (within the file system's tick a second change could keep the stat):
    # checked on every view, not kept.
    monkeypatch.setattr(draws, "_RACY_NS", 10**18)
    assert "复核通过" in page() and "复核通过" in page() and len(reads) == 2
    monkeypatch.setattr(draws, "_RACY_NS", 0)
    an_hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(path, ns=(an_hour_ago, an_hour_ago))
    assert "复核通过" in page() and "复核通过" in page() and len(reads) == 3  # kept
    # Altered in place, same size: the stat changed, so it is read again, and fails.
    at = original.index(b"91320100T000000150")
    with path.open("r+b") as handle:
        handle.seek(at)
        handle.write(b"91320100T000000999")
    assert path.stat().st_size == len(original)
    assert "复核未通过" in page() and "复核未通过" in page() and len(reads) == 5
    # Replaced by the original bytes with the old times set back: another inode,
    # checked again, passes, and is kept.
    (tmp_path / "restored").write_bytes(original)
    os.replace(tmp_path / "restored", path)
    os.utime(path, ns=(an_hour_ago, an_hour_ago))
    assert "复核通过" in page() and "复核通过" in page() and len(reads) == 6


@pytest.mark.parametrize(
    "listed",
    [['引号"', "a"], ["反斜杠\\", "b"], ["\x01控制", "c"], ["中文", "a", "\x7f", "\u2028"], ["x"]],
    ids=["quote", "backslash", "control", "unicode", "one"],
)
def test_the_file_made_from_the_joined_list_is_the_json_of_the_list(listed):
    expected = json.dumps(sorted(listed), ensure_ascii=False, separators=(",", ":")).encode()
    assert draws._prepared(listed, 1, None)[3] == expected
    strata = {"B": (listed, 1), "A": (["0"], 1)}
    by_label = {"A": ["0"], "B": sorted(listed)}
    text = json.dumps(by_label, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    assert draws._prepared(None, None, strata)[3] == text.encode()
    assert draws._prepared(None, None, strata)[3] == snapshot_bytes(by_label)
