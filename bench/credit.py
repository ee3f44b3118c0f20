"""Credit and 双随机 at scale. Not a test.

1. The draw of issue 17: 1% of 1,000,000 entities in four credit-class strata
   (lower classes at higher rates) with ``core.draw.pick_strata``, the whole
   2,000-inspector pool drawn into an order with ``core.draw.pick``, and the
   assignment rule of ``supervision.inspection_runs.assign`` (two inspectors per
   entity, one from each of two departments, 1% of pairs in conflict). What
   ``plan_draw`` adds on top is reading the candidates (one query) and writing
   the tasks.
2. The class rule (``credit.rules.classify``) over 1,000,000 subjects with 0–3
   records each: the computation of a full recomputation, without its reads
   and writes.

    PYTHONPATH=. DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/credit.py

With ``--database`` (on an empty migrated database named by ``DATABASE_URL``,
PostgreSQL for the figures in docs/performance.md) the parts that do:

3. **intake**: ``selectors.restrictions`` (what ``ensure_allowed`` calls at every
   告知承诺 or 容缺 submission) with ``--entries`` (100,000) entries in force, for
   subjects not listed (the common case) and listed; beside it, the detailed
   query that earlier answered every call, for comparison; p50/p95 in ms.
4. **recompute**: ``class_recompute_all`` over ``--subjects`` (1,000,000) rated
   subjects with 0–3 records each and 0.2 % black-listed, all at once, then a
   second run that changes nothing.
5. **plan draw**: ``plan_draw`` of a plan over ``--entities`` (1,000,000) 法人库 rows
   in four class strata (about 1 % drawn) with 2,000 inspectors: the candidate
   read, the two draws, the assignment and the task inserts. The 法人库 rows,
   ratings and inspectors of an earlier run of the same size are used again
   (loading them is not part of the figure and takes minutes).

    createdb credit && DATABASE_URL=postgres://…/credit .venv/bin/tongban migrate
    DATABASE_URL=postgres://…/credit DJANGO_SETTINGS_MODULE=config.settings.local \
        .venv/bin/python bench/credit.py --database
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass(eq=False)
class _Inspector:
    pk: int
    department_id: int


def bench_draw(entities: int = 1_000_000, inspectors: int = 2_000) -> dict[str, float]:
    import django

    django.setup()
    from tongban.core import draw
    from tongban.supervision.inspection_runs import assign, stratum_size

    rng = random.Random(17)
    shares = {"A": 0.80, "B": 0.12, "C": 0.06, "D": 0.02}
    rates = {"A": 7, "B": 12, "C": 25, "D": 50}  # per mille: about 1% overall
    codes = [f"91320100MA{i:08d}" for i in range(entities)]
    strata: dict[str, tuple[list[str], int]] = {}
    start = 0
    for cls, share in shares.items():
        members = codes[start : start + int(entities * share)]
        start += len(members)
        strata[cls] = (members, stratum_size(len(members), rates[cls]))
    seed = draw.new_seed()
    t0 = time.perf_counter()
    picked = draw.pick_strata(seed, strata)
    t1 = time.perf_counter()
    pool = [_Inspector(pk=i + 1, department_id=1 + i % 2) for i in range(inspectors)]
    by_cert = {f"INS{p.pk:05d}": p for p in pool}
    order = [by_cert[c] for c in draw.pick(seed, sorted(by_cert), len(by_cert), label="pool")]
    t2 = time.perf_counter()
    chosen = [code for members in picked.values() for code in members]
    conflicts = {
        (rng.randrange(1, inspectors + 1), code) for code in rng.sample(chosen, len(chosen) // 100)
    }
    result = assign(chosen, order, per_task=2, conflicts=conflicts)  # type: ignore[arg-type]  # stand-ins with pk and department_id
    t3 = time.perf_counter()
    assert not isinstance(result, str) and len(result) == len(chosen)
    return {
        "drawn": len(chosen),
        "entities_s": round(t1 - t0, 3),
        "inspectors_s": round(t2 - t1, 3),
        "assign_s": round(t3 - t2, 3),
        "total_s": round(t3 - t0, 3),
    }


def bench_rules(subjects: int = 1_000_000) -> dict[str, float]:
    from tongban.credit import rules

    rng = random.Random(5)
    today = dt.date(2026, 11, 2)
    severities = ["positive", "minor", "general", "serious"]
    facts = [
        [
            rules.Fact(
                i * 4 + j, rng.choice(severities), today - dt.timedelta(days=rng.randrange(1500))
            )
            for j in range(rng.choice((0, 0, 0, 1, 1, 2, 3)))
        ]
        for i in range(subjects)
    ]
    t0 = time.perf_counter()
    classes: dict[str, int] = {}
    for i, subject in enumerate(facts):
        outcome = rules.classify(subject, black_listed=i % 500 == 0, today=today)
        classes[outcome.credit_class] = classes.get(outcome.credit_class, 0) + 1
    elapsed = time.perf_counter() - t0
    return {"subjects": subjects, "seconds": round(elapsed, 1), **classes}


if __name__ == "__main__":
    import argparse
    import os

    parser = argparse.ArgumentParser()
    parser.add_argument("--database", action="store_true")
    parser.add_argument("--only", choices=["intake", "recompute", "plan"], default=None)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=2_000)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--entities", type=int, default=1_000_000)
    args = parser.parse_args()
    if not args.database:
        print("draw:", bench_draw())
        print("rules:", bench_rules())
    else:
        import django

        django.setup()
        from bench import credit_db

        print("load average (1 min) before:", os.getloadavg()[0])
        if args.only in (None, "intake"):
            print("intake:", credit_db.bench_intake(args.entries, args.calls))
        if args.only in (None, "recompute"):
            print("recompute:", credit_db.bench_recompute(args.subjects))
        if args.only in (None, "plan"):
            print("plan draw:", credit_db.bench_plan_draw(args.entities))
        print("load average (1 min) after:", os.getloadavg()[0])
