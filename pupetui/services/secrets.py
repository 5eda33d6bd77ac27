"""The columns of Pupesoft's schema that hold secrets: one list for every program that reads
columns a user names (the SQL search, the query generator, exports of either).

Built from Pupesoft's whole schema (`schema.mariadb.sql` of Pupesoft itself): every column that
holds a password, a password hash, a session, an API key or a private key. A test reads that
schema and fails when a column whose name looks like a secret is on neither this list nor
`NOT_SECRETS` (the names that only look like one), so a new secret column cannot slip by.
"""

from __future__ import annotations

import re

SECRET_COLUMNS: dict[str, frozenset[str]] = {
    # users: the password hash, the web session, the API key of Pupesoft's REST API
    "kuka": frozenset({"salasana", "session", "api_key"}),
    # contacts: the web shop (extranet) password
    "yhteyshenkilo": frozenset({"verkkokauppa_salasana"}),
    # company parameters: e-invoice operators' passwords and API keys
    "yhtion_parametrit": frozenset({
        "verkkosala_vas", "verkkosala_lah", "apix_avain", "apix_edi_avain",
        "maventa_api_avain", "maventa_ohjelmisto_api_avain",
    }),
    # mail servers of the company: IMAP and SMTP passwords
    "mail_servers": frozenset({"imap_password", "smtp_password"}),
    # bank connections (Web Services): the private keys (the certificates are public)
    "pankkiyhteys": frozenset({"signing_private_key", "encryption_private_key"}),
    # suppliers: the EDI password
    "toimi": frozenset({"edi_salasana"}),
    # file transports (FTP/SFTP) of the company: their passwords
    "transports": frozenset({"password"}),
}

# Every secret column name, whatever its table: a checker that cannot be sure which table a
# name belongs to refuses the name.
SECRET_NAMES: frozenset[str] = frozenset().union(*SECRET_COLUMNS.values())

# What a column name that holds a secret looks like (Finnish and English).
LOOKS_SECRET = re.compile(
    r"sala(?!isuus)|passw|pwd|avain(?!sana)|key|token|secret|salt|session|private|credential|hash",
    re.IGNORECASE,
)

# Columns of Pupesoft's schema whose names look like a secret but do not hold one.
NOT_SECRETS: dict[str, str] = {
    "asiakas.kansalaisuus": "nationality (kansalaisuus contains 'sala')",
    "changelog.key": "a row key of the change log",
    "pending_updates.key": "a row key of pending updates",
    "git_paivitykset.hash_pupesoft": "the git commit of Pupesoft's code",
    "git_paivitykset.hash_pupenext": "the git commit of Pupenext's code",
    "tullinimike.cnkey": "a customs nomenclature key",
    "yhtion_parametrit.extranet_private_label": "a setting of the extranet's look",
}


def is_secret(table: str, column: str) -> bool:
    """Whether `table.column` holds a secret (names compared case-insensitively)."""
    return column.lower() in SECRET_COLUMNS.get(table.lower(), frozenset())


def secret_columns_of(table: str) -> frozenset[str]:
    return SECRET_COLUMNS.get(table.lower(), frozenset())
