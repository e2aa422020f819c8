"""typed_usage.py is type-checked by mypy --strict in test.sh; here it also has to run."""

from __future__ import annotations

import typed_usage


def test_typed_usage_runs() -> None:
    typed_usage.main()
