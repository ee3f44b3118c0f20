"""The layer contract of DESIGN §2 is enforced: a lower layer importing a higher one fails."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _run_lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def _copy_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "repo"
    shutil.copytree(
        ROOT / "tongban",
        tree / "tongban",
        ignore=shutil.ignore_patterns("__pycache__", "tests", "migrations", "templates", "static"),
    )
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_codebase_keeps_the_layer_contract(tmp_path):
    result = _run_lint(_copy_tree(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_importing_the_portal_breaks_the_contract(tmp_path):
    tree = _copy_tree(tmp_path)
    clock = tree / "tongban" / "core" / "clock.py"
    clock.write_text(clock.read_text() + "\nfrom tongban.portal import views  # noqa\n")
    result = _run_lint(tree)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "tongban.core.clock -> tongban.portal.views" in result.stdout


def test_org_importing_identity_breaks_the_contract(tmp_path):
    tree = _copy_tree(tmp_path)
    target = tree / "tongban" / "org" / "__init__.py"
    target.write_text("from tongban.identity import models  # noqa\n")
    result = _run_lint(tree)
    assert result.returncode != 0
    assert "tongban.org -> tongban.identity.models" in result.stdout
