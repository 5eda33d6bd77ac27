"""The CRM programs and the Pupesoft script each one's right (oikeu) is named by."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Program:
    id: str  # also the binding id and the command name
    script: str  # oikeu.nimi ends with this
    subnames: tuple[str, ...]  # oikeu.alanimi values that grant it
    title_key: str  # message id of its title
    key: str  # its key in the main menu


CUSTOMERS = Program("customers", "crm/asiakaslista.php", ("",), "Customer list", "a")
MEMO = Program("memo", "crm/asiakasmemo.php", ("",), "Customer memo", "m")
CALENDAR = Program("calendar", "crm/kalenteri.php", ("",), "Calendar", "k")
CONTRACTS = Program(
    "contracts", "raportit/vuosisopimusasiakkaat.php", ("",), "Annual-contract customers", "v"
)
REMINDERS = Program("reminders", "crm/kuittaamattomat.php", ("",), "Reminders", "r")
LABELS = Program("labels", "crm/tarrat.php", ("",), "Address labels", "t")
SMS = Program("sms", "crm/tekstiviestit.php", ("",), "SMS", "s")
SQL = Program("sql", "raportit/sql-query.php", ("", "SUPER", "READ"), "SQL search", "q")
QUERY_GENERATOR = Program("querygen", "db_sql_query.php", ("",), "Query generator", "g")

PROGRAMS: tuple[Program, ...] = (
    CUSTOMERS,
    MEMO,
    CALENDAR,
    CONTRACTS,
    REMINDERS,
    LABELS,
    SMS,
    SQL,
    QUERY_GENERATOR,
)

# Not a program of its own: the right to edit customers (Pupesoft's yllapito.php?toim=asiakas).
CUSTOMER_EDIT = Program("customer_edit", "yllapito.php", ("asiakas",), "Edit customers", "")

BY_ID = {p.id: p for p in PROGRAMS + (CUSTOMER_EDIT,)}
