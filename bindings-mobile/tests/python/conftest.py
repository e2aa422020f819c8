"""Puts the module uniffi generated (dealer_portal.py, with the .so next to it) on the path.

test.sh generates it into target/uniffi/python and sets DEALER_PORTAL_UNIFFI_PY.
"""

import os
import sys
from pathlib import Path

GENERATED = os.environ.get(
    "DEALER_PORTAL_UNIFFI_PY",
    str(Path(__file__).resolve().parents[3] / "target" / "uniffi" / "python"),
)
if not (Path(GENERATED) / "dealer_portal.py").is_file():
    raise RuntimeError(f"no generated dealer_portal.py in {GENERATED}: run bindings-mobile/test.sh")
sys.path.insert(0, GENERATED)
