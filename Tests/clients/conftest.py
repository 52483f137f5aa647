"""Fixtures of the client-library tests: the server pieces come from Tests/system/harness.py, imported under its own
name as the other suites import it."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "system"))
