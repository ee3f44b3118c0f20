"""Pure parts of bundles: the dependency graph, the project code, the figures."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.bundles import graph
from tongban.bundles.deadlines import bundle_deadline, joint_deadline, percentile
from tongban.bundles.identifiers import project_code_make, project_code_validate
from tongban.catalog.content import TimeLimit
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError

# 企业开办: the licence first; seal, invoices, fund after it; the bank after the
# seal; social insurance after the bank.
OPENING = {
    "licence": [],
    "seal": ["licence"],
    "bank": ["licence", "seal"],
    "invoice": ["licence"],
    "social": ["licence", "bank"],
    "fund": ["licence"],
}


def test_layers_run_members_without_a_path_between_them_in_parallel():
    assert graph.layers(OPENING) == [
        ["licence"],
        ["seal", "invoice", "fund"],
        ["bank"],
        ["social"],
    ]


def test_dependents_are_everything_downstream_in_input_order():
    assert graph.dependents(OPENING, "seal") == ["bank", "social"]
    assert graph.dependents(OPENING, "licence") == ["seal", "bank", "invoice", "social", "fund"]
    assert graph.dependents(OPENING, "social") == []


def test_a_graph_without_cycles_has_none():
    assert graph.cycles(OPENING) == []


@pytest.mark.parametrize(
    ("deps", "expected"),
    [
        ({"a": ["b"], "b": ["a"]}, [["a", "b"]]),  # 互为前置
        ({"a": ["b"], "b": ["c"], "c": ["a"], "d": []}, [["a", "b", "c"]]),  # a three-cycle
        ({"a": ["a"]}, [["a"]]),  # needs its own result
        ({"a": ["b"], "b": ["a"], "c": ["d"], "d": ["c"]}, [["a", "b"], ["c", "d"]]),  # two
    ],
)
def test_every_cycle_group_is_found(deps, expected):
    assert graph.cycles(deps) == expected


def test_a_cycle_path_reads_who_needs_whom():
    deps = {"a": ["b"], "b": ["c"], "c": ["a"]}
    assert graph.cycle_path(deps, ["a", "b", "c"]) == ["a", "b", "c", "a"]


def test_layers_refuse_a_cycle():
    with pytest.raises(ValueError, match="cycle"):
        graph.layers({"a": ["b"], "b": ["a"]})


def test_the_critical_path_sums_the_heaviest_chain():
    days = {"licence": 1, "seal": 1, "bank": 1, "invoice": 0, "social": 0, "fund": 0}
    assert graph.longest_path(OPENING, days) == 3


def test_a_long_chain_does_not_overflow_the_stack():
    chain = {f"n{i}": [f"n{i - 1}"] if i else [] for i in range(5000)}
    chain["n0"] = ["n4999"]
    assert len(graph.cycles(chain)[0]) == 5000


# --- 投资项目代码 (GB/T 40058-2021) ------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "2411-130202-89-01-637015",  # published codes: ISO 7064 MOD 11,10 holds
        "2603-141124-89-05-346948",
    ],
)
def test_published_project_codes_are_valid(code):
    assert project_code_validate(code) == code


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("2411-130202-89-01-637016", "校验码"),  # last digit changed
        ("2411-130202-89-01-63701", "格式"),  # too short
        ("2020-330327-48-01-167360", "月份"),  # the pre-2020 form with a four-digit year
        ("2413-130202-89-01-637015", "月份"),  # month 13
        ("2411-990202-89-01-637015", "地区代码"),
        ("2411-130202-00-01-637015", "部门代码"),
        ("2411-130202-89-09-637015", "类型代码"),
        ("", "不能为空"),
    ],
)
def test_a_wrong_project_code_is_refused_with_the_part_that_is_wrong(code, why):
    with pytest.raises(DomainError) as caught:
        project_code_validate(code)
    assert caught.value.code == "project_code_invalid"
    assert why in caught.value.detail


def test_a_made_project_code_validates_and_carries_its_parts():
    code = project_code_make(
        on=dt.date(2026, 11, 2), region_code="320102", guidance="89", kind="01"
    )
    assert project_code_validate(code) == code
    assert code.startswith("2611-320102-89-01-") and len(code) == 24


# --- clocks and figures ----------------------------------------------------------


@pytest.mark.django_db
def test_the_bundle_deadline_counts_working_days_after_receipt():
    cal = get_calendar()
    # Fri 25 Sep 2026 + 3 working days → Wed 30 Sep (the National Day holiday follows).
    assert bundle_deadline(dt.date(2026, 9, 25), TimeLimit(value=3), cal) == dt.date(2026, 9, 30)
    # Wed 30 Sep 2026 + 1 working day → Thu 8 Oct, after the National Day holiday.
    assert bundle_deadline(dt.date(2026, 9, 30), TimeLimit(value=1), cal) == dt.date(2026, 10, 8)


@pytest.mark.django_db
def test_the_joint_clock_is_45_working_days_and_the_extension_counts_on():
    cal = get_calendar()
    start = dt.date(2026, 11, 2)
    plain = joint_deadline(start, 0, cal)
    extended = joint_deadline(start, 15, cal)
    assert cal.working_days_between(start, plain) == 45
    assert cal.working_days_between(plain, extended) == 15


@pytest.mark.parametrize(
    ("values", "share", "expected"),
    [
        ([], 0.5, None),
        ([3], 0.9, 3),
        ([1, 2, 3, 4], 0.5, 2.5),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9.1),
    ],
)
def test_percentiles_interpolate_between_ranks(values, share, expected):
    result = percentile(values, share)
    assert result == (pytest.approx(expected) if expected is not None else None)
