#!/usr/bin/env python3
"""Bulk-imports users from a CSV file into a dealer portal, through an administrator's session.

Columns (header row required; `;` or `,` separated; UTF-8):

    Nom;Prénom;Email;mobile;establishment;rights

`rights` holds right codes separated by `|` (e.g. ``submit_claims|search_claims``; see
``dealer_portal.Right.all()``). `mobile` is optional, typed as people type it (``06 23 42 54 55``).

Every row is tried; a bad row prints its error code and the import goes on. Each created user
gets an activation mail in the portal's outbox. Exit status: 0 when every row was created, 1
when some rows failed, 2 when the import could not start (file, login).

    DEALER_PORTAL_PASSWORD=... python import_users.py --db portal.db \\
        --admin admin@garage-xyz.fr users.csv
"""

from __future__ import annotations

import argparse
import csv
import getpass
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import dealer_portal as dp

# Accepted spellings of each column, compared after strip() and lower().
COLUMNS = {
    "last_name": ("nom", "last_name", "last name"),
    "first_name": ("prénom", "prenom", "first_name", "first name"),
    "email": ("email", "e-mail", "mail", "identifiant"),
    "mobile": ("mobile", "téléphone mobile", "telephone mobile"),
    "establishment": ("establishment", "établissement", "etablissement", "code"),
    "rights": ("rights", "droits"),
}


@dataclass
class Row:
    line: int
    last_name: str
    first_name: str
    email: str
    mobile: str | None
    establishment: str
    rights: str


def read_rows(path: Path) -> Iterator[Row]:
    """The CSV's rows, with their line numbers (the header is line 1)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        sample = f.read(4096)
        f.seek(0)
        try:
            dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=";,")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(f, dialect)
        header = [h.strip().lower() for h in next(reader, [])]
        index: dict[str, int] = {}
        for field, names in COLUMNS.items():
            for i, h in enumerate(header):
                if h in names:
                    index[field] = i
                    break
        absent = [COLUMNS[f][0] for f in COLUMNS if f not in index and f != "mobile"]
        if absent:
            raise ValueError(f"{path}: missing column(s) {', '.join(absent)}")

        for cells in reader:
            if not any(c.strip() for c in cells):
                continue

            def cell(field: str, cells: Sequence[str] = cells) -> str:
                i = index.get(field)
                return cells[i].strip() if i is not None and i < len(cells) else ""

            yield Row(
                line=reader.line_num,
                last_name=cell("last_name"),
                first_name=cell("first_name"),
                email=cell("email"),
                mobile=cell("mobile") or None,
                establishment=cell("establishment"),
                rights=cell("rights"),
            )


def create(portal: dp.Portal, session: str, row: Row) -> str:
    """Creates one user; returns its account id or raises the portal's error."""
    rights = [dp.Right.from_code(code) for code in row.rights.split("|") if code.strip()]
    return portal.create_user(
        session, row.establishment, row.last_name, row.first_name, row.email, rights, mobile=row.mobile
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("csv", type=Path, help="the users to create")
    parser.add_argument("--db", required=True, help="the portal's SQLite file")
    parser.add_argument(
        "--admin", default=os.environ.get("DEALER_PORTAL_ADMIN"), help="administrator's email (or $DEALER_PORTAL_ADMIN)"
    )
    args = parser.parse_args(argv)
    if not args.admin:
        parser.error("--admin (or DEALER_PORTAL_ADMIN) is required")
    password = os.environ.get("DEALER_PORTAL_PASSWORD") or getpass.getpass(f"Password for {args.admin}: ")

    try:
        rows = list(read_rows(args.csv))
        portal = dp.Portal.open(args.db)
        session = portal.login(args.admin, password).token
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except dp.PortalError as e:
        print(f"error: {e.code}: {e.message}", file=sys.stderr)
        return 2

    created = failed = 0
    try:
        for row in rows:
            try:
                account_id = create(portal, session, row)
            except dp.PortalError as e:
                failed += 1
                print(f"line {row.line}: {e.code} {row.email or '(no email)'}: {e.message}")
            else:
                created += 1
                print(f"line {row.line}: CREATED {row.email} {account_id}")
    finally:
        portal.logout(session)
    print(f"{created} created, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
