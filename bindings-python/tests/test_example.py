"""examples/import_users.py on the sample CSV, against a SQLite portal prepared here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dealer_portal as dp
from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, FAST, seed

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(db: Path, csv_path: Path, password: str = ADMIN_PASSWORD) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DEALER_PORTAL_PASSWORD=password, PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, str(EXAMPLES / "import_users.py"), "--db", str(db), "--admin", ADMIN_EMAIL, str(csv_path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
    )


def test_import_users_sample(tmp_path: Path) -> None:
    db = tmp_path / "portal.db"
    seed(dp.Portal.open(db, config=FAST))

    result = run(db, EXAMPLES / "users.csv")
    assert result.returncode == 1, result.stderr  # some rows are bad on purpose
    lines = result.stdout.splitlines()
    outcomes = [line.split()[2] for line in lines if line.startswith("line ")]
    assert outcomes == [
        "CREATED",
        "CREATED",
        "CREATED",
        "INVALID_EMAIL",
        "INVALID_PHONE",
        "UNKNOWN_ESTABLISHMENT",
        "NO_RIGHTS_SELECTED",
        "UNKNOWN_CODE",
        "EMAIL_TAKEN",
    ], result.stdout
    assert lines[-1] == "3 created, 6 failed"
    assert lines[0].startswith("line 2: CREATED alexandre@gmail.com ")

    portal = dp.Portal.open(db, config=FAST)
    session = portal.login(ADMIN_EMAIL, ADMIN_PASSWORD).token
    accounts = {a.email: a for a in portal.list_accounts(session).items}
    assert set(accounts) == {ADMIN_EMAIL, "alexandre@gmail.com", "eric.dupont@garage-xyz.fr", "lea.martin@garage-uvw.fr"}
    assert accounts["lea.martin@garage-uvw.fr"].establishments == ["T88888"]
    assert accounts["alexandre@gmail.com"].state == "invited"
    lea = accounts["lea.martin@garage-uvw.fr"].id
    assert portal.rights_matrix(session, lea) == {
        "T88888": [dp.Right.QUOTES_AND_SUBSCRIPTIONS, dp.Right.SEARCH_QUOTES_AND_CONTRACTS]
    }
    activations = sorted(n.email for n in portal.pending_notifications() if n.kind == "activation")
    assert activations == ["alexandre@gmail.com", "eric.dupont@garage-xyz.fr", "lea.martin@garage-uvw.fr"]


def test_import_users_wrong_password_stops_before_any_row(tmp_path: Path) -> None:
    db = tmp_path / "portal.db"
    seed(dp.Portal.open(db, config=FAST))
    result = run(db, EXAMPLES / "users.csv", password="not the password")
    assert result.returncode == 2
    assert "INVALID_CREDENTIALS" in result.stderr and result.stdout == ""


def test_import_users_comma_separated(tmp_path: Path) -> None:
    db = tmp_path / "portal.db"
    seed(dp.Portal.open(db, config=FAST))
    csv_path = tmp_path / "users.csv"
    csv_path.write_text(
        "Nom,Prénom,Email,mobile,establishment,rights\nZola,Émile,emile@garage-xyz.fr,,T99999,search_claims\n",
        encoding="utf-8",
    )
    result = run(db, csv_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "1 created, 0 failed"
