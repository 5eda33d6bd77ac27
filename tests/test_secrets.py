"""One list of secret columns, checked against Pupesoft's whole schema: a column whose name
looks like a password, key, token, secret, salt or session and that is on neither
`SECRET_COLUMNS` nor `NOT_SECRETS` fails here, so no program can show it by oversight."""

from __future__ import annotations

import os
import re

import pytest

from conftest import SHARED, unavailable
from pupetui.services import secrets

PHP_SCHEMA = str(SHARED.parent / "pupesoft-php" / "schema.mariadb.sql")


def schema_columns() -> list[tuple[str, str]]:
    if not os.path.exists(PHP_SCHEMA):
        unavailable(f"Pupesoft's full schema is not at {PHP_SCHEMA}")
    table = None
    found = []
    with open(PHP_SCHEMA, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*CREATE TABLE `([^`]+)`", line)
            if m:
                table = m.group(1)
                continue
            m = re.match(r"\s+`([^`]+)`\s", line)
            if m and table:
                found.append((table, m.group(1)))
    assert len(found) > 1000, "the schema was not read"
    return found


def test_every_column_that_looks_secret_is_listed():
    unlisted = [
        f"{t}.{c}" for t, c in schema_columns()
        if secrets.LOOKS_SECRET.search(c) and not secrets.is_secret(t, c) and f"{t}.{c}" not in secrets.NOT_SECRETS
    ]
    assert unlisted == [], f"secret-looking columns on neither list: {unlisted}"


def test_every_listed_secret_is_a_column_of_pupesoft():
    columns = set(schema_columns())
    missing = [f"{t}.{c}" for t, cs in secrets.SECRET_COLUMNS.items() for c in cs if (t, c) not in columns]
    assert missing == []
    assert all(tuple(name.split(".")) in columns for name in secrets.NOT_SECRETS)


@pytest.mark.parametrize("table, column", [
    ("kuka", "salasana"), ("KUKA", "Session"), ("yhtion_parametrit", "verkkosala_lah"),
    ("yhtion_parametrit", "verkkosala_vas"), ("yhteyshenkilo", "verkkokauppa_salasana"),
    ("mail_servers", "smtp_password"), ("pankkiyhteys", "signing_private_key"),
])
def test_known_secrets(table, column):
    assert secrets.is_secret(table, column)


def test_ordinary_columns_are_not_secrets():
    assert not secrets.is_secret("kuka", "nimi")
    assert not secrets.is_secret("asiakas", "salasana")  # no such column: only listed pairs
