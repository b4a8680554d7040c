"""Imports point one way: lib ← workdays, org ← petitions ← (notifications, documents, stats) ←
(api, staff, portal), and no package's modules import each other in a circle (import-linter, the
contracts in pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_layers_and_no_cycles_hold():
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True,  # noqa: S603
                            timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "2 kept, 0 broken" in result.stdout


def test_the_core_does_not_reach_up():
    """The contract itself names the layers the issue asks for (a contract loosened by accident fails here)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for layer in ['"daiban.api | daiban.staff | daiban.portal"', '"daiban.petitions"', '"daiban.workdays | daiban.org"',
                  '"daiban.lib"']:
        assert layer in text, layer
