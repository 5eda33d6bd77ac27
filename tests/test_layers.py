"""The layers stay honest: import-linter's contracts exist in pyproject.toml and are kept."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _importlinter():
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)["tool"]["importlinter"]


def _contract(forbidding: str) -> dict:
    contracts = [
        c for c in _importlinter().get("contracts", [])
        if c.get("type") == "forbidden" and forbidding in c.get("forbidden_modules", [])
    ]
    assert contracts, f"no import-linter contract forbids {forbidding}"
    return contracts[0]


def test_contract_core_never_imports_textual():
    contract = _contract("textual")
    assert "rich" in contract["forbidden_modules"]
    for module in ("pupetui.models", "pupetui.services", "pupetui.db", "pupetui.config"):
        assert module in contract["source_modules"], module


def test_contract_screens_never_build_sql():
    contract = _contract("peewee")
    assert {"pupetui.screens", "pupetui.widgets"} <= set(contract["source_modules"])
    for module in ("peewee", "pupetui.db", "pupetui.models"):
        assert module in contract["forbidden_modules"], module


def test_importlinter_root_is_the_package():
    assert _importlinter()["root_package"] == "pupetui"


def test_import_contracts_are_kept():
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    contracts = _importlinter()["contracts"]
    assert f"Contracts: {len(contracts)} kept, 0 broken." in output, output
    for contract in contracts:
        assert contract["name"] in output
