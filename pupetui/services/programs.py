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
    # A maintenance of Pupesoft's yllapito.php: the right is a row whose alanimi is the table
    # (subnames[0]), an alias set of it ('asiakas!!!MYYNTI', '...!!!RAJATTU') or it with
    # parameters after '&' ('avainsana&laji=KALETAPA'), as Pupesoft's tarkista_oikeus reads it.
    maintenance: bool = False


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

# Not programs of their own: Pupesoft's maintenances (yllapito.php?toim=...) pupetui writes in.
# Opening one needs the row; saving needs its update flag (oikeu.paivitys = '1').
CUSTOMER_EDIT = Program("customer_edit", "yllapito.php", ("asiakas",), "Edit customers", "", maintenance=True)
CONTACT_EDIT = Program("contact_edit", "yllapito.php", ("yhteyshenkilo",), "Edit contacts", "", maintenance=True)
KEYWORD_EDIT = Program("keyword_edit", "yllapito.php", ("avainsana",), "Edit keywords", "", maintenance=True)
MAINTENANCES = (CUSTOMER_EDIT, CONTACT_EDIT, KEYWORD_EDIT)

BY_ID = {p.id: p for p in PROGRAMS + MAINTENANCES}
