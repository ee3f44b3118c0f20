"""No audit event carries personal data (issue 9 #4): the chain keeps it for ever.

Every ``audit_record(...)`` call in the code is read, and the keys of its
``details`` (a dict literal, or the dict a name is bound to in the same
function) are checked against the deny list that ``audit_record`` also
enforces when it runs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tongban.core.audit import PERSONAL_KEY_PARTS, audit_record, personal_keys

ROOT = Path(__file__).resolve().parent.parent / "tongban"


def _calls() -> list[tuple[str, ast.Call, ast.AST]]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef | ast.Module):
                continue
            for node in ast.walk(function):
                name = getattr(getattr(node, "func", None), "id", None) or getattr(
                    getattr(node, "func", None), "attr", None
                )
                if isinstance(node, ast.Call) and name == "audit_record":
                    found.append((f"{path.relative_to(ROOT.parent)}:{node.lineno}", node, function))
    return found


def _literal_keys(node: ast.AST | None, scope: ast.AST) -> list[str]:
    """The string keys of a details argument, following one level of a name."""
    if isinstance(node, ast.Name):
        for assign in ast.walk(scope):
            if isinstance(assign, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == node.id for t in assign.targets
            ):
                return _literal_keys(assign.value, scope)
        return []
    keys: list[str] = []
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                keys.append(key.value)
            keys += _literal_keys(value, scope)
    elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "dict":
        keys += [k.arg for k in node.keywords if k.arg]
    return keys


def test_the_code_has_audit_calls_to_check():
    assert len(_calls()) >= 30


def test_no_audit_call_names_personal_data_in_its_details():
    offending = []
    for where, call, scope in _calls():
        details = next((k.value for k in call.keywords if k.arg == "details"), None)
        for key in _literal_keys(details, scope):
            if any(part in key.lower() for part in PERSONAL_KEY_PARTS):
                offending.append(f"{where}: {key}")
    assert offending == []


def test_the_lint_would_catch_a_personal_key():
    tree = ast.parse('def f():\n    audit_record(details={"id_number": x, "n": {"phone": 1}})')
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call))
    keys = _literal_keys(call.keywords[0].value, tree)
    assert keys == ["id_number", "n", "phone"]


@pytest.mark.django_db
def test_audit_record_refuses_personal_data_at_run_time_and_stores_nothing():
    from tongban.core.models import AuditEvent

    with pytest.raises(ValueError, match=r"applicant\.mobile"):
        audit_record(
            actor="system", action="x", object_type="t", object_id="1",
            details={"applicant": {"mobile": "13800000001"}},
        )  # fmt: skip
    assert personal_keys({"items": [{"bank_account_no": "6222"}]}) == ["items[0].bank_account_no"]
    assert not AuditEvent.objects.exists()
