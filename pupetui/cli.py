"""The `pupetui` command: the TUI, and its headless subcommands.

Every headless subcommand calls the same service the screens call.
"""

from __future__ import annotations

import argparse
import gc
import getpass
import os
import sys
import time
from typing import Sequence

from pupetui import config
from pupetui.db_drivers import import_peewee_for, lazy_import

# Run when first used: after `main` has imported peewee with only the driver the URL needs.
db = lazy_import("pupetui.db")
auth = lazy_import("pupetui.services.auth")
schema = lazy_import("pupetui.services.schema")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_DENIED = 3
EXIT_LIMIT = 4  # an export (`sql`, `query run`) passed sql.max_export_bytes or sql.export_timeout_seconds


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_ERROR):
        super().__init__(message)
        self.code = code


# Bounds of the numbers and texts the commands take, so that what reaches the database fits it
# (a LIMIT, an int(11) column, a regular expression the server compiles).
MAX_LIMIT = 1_000_000_000
INT32 = (-2**31, 2**31 - 1)  # asiakas.myyjanro, kuka.myyja: int(11)
MAX_SEARCH = 1000  # characters of --search (as services.customers.MAX_SEARCH; not imported: the TUI starts without it)
MAX_DEMO_CUSTOMERS = 10_000_000


def _whole_number(low: int, high: int):
    """An argparse type: a whole number from `low` to `high` (a clear usage error otherwise)."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip().replace("_", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high}")
        return value

    return parse


def _search_text(text: str) -> str:
    if len(text) > MAX_SEARCH:
        raise argparse.ArgumentTypeError(f"at most {MAX_SEARCH} characters (this one has {len(text)})")
    return text


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    d = argparse.SUPPRESS if suppress else None
    parser.add_argument("--config", metavar="PATH", default=d, help="the TOML configuration file")
    parser.add_argument("--db", metavar="URL", default=d, help="sqlite:///path, mysql://user:pass@host/db or postgresql://...")
    parser.add_argument("--company", metavar="YHTIO", default=d, help="the company (yhtio) to work in")
    parser.add_argument("--user", metavar="LOGIN", default=d, help="the user (kuka); default: the OS user name")
    parser.add_argument("--lang", choices=config.LANGUAGES, default=d, help="fi or en; default: from the locale")
    parser.add_argument("--auth", choices=config.AUTH_MODES, default=d, help="none (trust the OS/SSH login) or password")
    if suppress:  # the main parser has its own, with the help text
        parser.add_argument("--demo", action="store_true", default=d, help="work on the demo database (made on first use)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pupetui", description="A keyboard-driven terminal front end for the CRM of Pupesoft."
    )
    _common(parser, suppress=False)
    parser.add_argument("--demo", action="store_true", help="start on a demo database (made on first use)")
    parser.add_argument("--theme", default=None, help="colour theme: ansi (the terminal's own 16 colours), textual-dark, nord, ...; default: ansi where the terminal reports 256 colours or fewer")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help="create pupetui's tables on an empty database (never alters existing ones)")
    _common(p, suppress=True)
    p = sub.add_parser("check", help="compare the database with what pupetui needs")
    _common(p, suppress=True)
    p = sub.add_parser("demo", help="fill a database with a deterministic Finnish demo dataset")
    _common(p, suppress=True)
    p.add_argument("--customers", type=_whole_number(1, MAX_DEMO_CUSTOMERS), default=300, metavar="N", help="customers of the demo company, the second gets a tenth (default 300)")
    p.add_argument("--seed", type=_whole_number(-2**63, 2**63 - 1), default=1, metavar="S", help="random seed (default 1)")
    p.add_argument("--quiet", action="store_true", help="print only the summary")
    p = sub.add_parser("whoami", help="log in and list the programs the user may use")
    _common(p, suppress=True)
    p = sub.add_parser("customers", help="the customer list: search, filter, print or save as Excel")
    _common(p, suppress=True)
    _customer_filter_arguments(p)
    p.add_argument("--sort", default="name", choices=_ColumnIds(), metavar="COLUMN", help="sort by: %(choices)s")
    p.add_argument("--desc", action="store_true", help="sort descending")
    p.add_argument("--whole-group", action="store_true", help="all companies of the group (konserni)")
    p.add_argument("--limit", type=_whole_number(0, MAX_LIMIT), default=50, metavar="N", help="rows to print (default 50)")
    p.add_argument("--xlsx", metavar="PATH", help="save every selected customer to an Excel file instead")
    p = sub.add_parser("labels", help="address labels of the customers the filters select: a PDF of label sheets or Excel")
    _common(p, suppress=True)
    _selection_arguments(p, default_limit="none")
    p.add_argument("--sheet", default="3x11", metavar="NAME", help="3x11, 3x8 or a [labels.sheets.NAME] of the configuration")
    p.add_argument("--start", type=int, default=1, metavar="N", help="first free label on a partly used sheet (default 1)")
    p.add_argument("--delivery-address", action="store_true", help="the delivery address where all its fields are filled")
    p.add_argument("--per-contact", action="store_true", help="one label per contact person")
    p.add_argument("--memo", default="", metavar="TEXT", help="add this text to the memo (Osoitetarrat) written on each printed customer")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the .pdf (labels) or .xlsx (addresses) to write")
    p = sub.add_parser("calendar", help="the calendar: export a user's entries as iCalendar (.ics)")
    _common(p, suppress=True)
    calsub = p.add_subparsers(dest="calendar_command", metavar="ACTION", required=True)
    e = calsub.add_parser("export", help="write a date range of a user's calendar to an .ics file")
    _common(e, suppress=True)
    e.add_argument("--owner", default=None, metavar="LOGIN", help="whose calendar (default: yours)")
    e.add_argument("--from", dest="start", required=True, metavar="DATE", help="first day, dd.mm.yyyy or yyyy-mm-dd")
    e.add_argument("--to", dest="end", required=True, metavar="DATE", help="last day")
    e.add_argument("--out", required=True, metavar="FILE", help="the .ics file to write")
    p = sub.add_parser("reminders", help="reminders: list yours, or email overdue summaries (for cron)")
    _common(p, suppress=True)
    remsub = p.add_subparsers(dest="reminders_command", metavar="ACTION", required=True)
    r = remsub.add_parser("list", help="your reminders and leads waiting for acknowledgement")
    _common(r, suppress=True)
    r.add_argument("--owner", default=None, metavar="LOGIN", help="another calendar user's list")
    r = remsub.add_parser("notify", help="email every owner of overdue reminders a summary (once a day each)")
    _common(r, suppress=True)
    p = sub.add_parser("sms", help="send an SMS to typed numbers or to selected customers (or their contacts)")
    _common(p, suppress=True)
    p.add_argument("--to", action="append", default=[], metavar="NUMBER", help="a mobile number (repeat for more; Finnish by default)")
    p.add_argument("--text", metavar="TEXT", help="the message")
    p.add_argument("--customers", action="store_true", help="send to the customers the filters select (all when no filter)")
    p.add_argument("--contacts", action="store_true", help="send to the selected customers' contacts instead")
    _selection_arguments(p, default_limit="1000")
    p.add_argument("--dry-run", action="store_true", help="show who would get the message, send nothing")
    p.add_argument("--resume", nargs="?", const="", default=None, metavar="BATCH", help="continue an unfinished batch (default: the newest)")
    p.add_argument("--resend-unknown", action="store_true", help="with --resume: send again the messages whose fate is unknown")
    p.add_argument("--close", metavar="BATCH", help="leave an unfinished batch as it is (nothing more is sent)")
    p.add_argument("--batches", action="store_true", help="list your unfinished batches")
    p = sub.add_parser("sql", help="the SQL search: run a read-only query, print it or save every row as Excel/CSV")
    _common(p, suppress=True)
    p.add_argument("statement", nargs="?", metavar="SQL", help="one SELECT (or WITH ... SELECT) query")
    p.add_argument("--saved", metavar="NAME", help="run a saved query (muisti, haku sql-query) instead")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--xlsx", metavar="FILE", help="save every row to an Excel file")
    out.add_argument("--csv", metavar="FILE", help="save every row to a CSV file (UTF-8 with BOM)")
    p.add_argument("--grant-recipe", choices=("mysql", "postgres"), metavar="ENGINE",
                   help="print the SQL that makes the read-only account of sql.readonly_url (mysql or postgres)")
    p.add_argument("--per-company", metavar="YHTIO", help="with --grant-recipe: an account that sees only this company's rows")
    p.add_argument("--database", metavar="NAME", default="pupesoft", help="with --grant-recipe: the database (default pupesoft)")
    p = sub.add_parser("query", help="the query generator: list the saved queries, run one (for cron)")
    _common(p, suppress=True)
    qsub = p.add_subparsers(dest="query_command", metavar="ACTION", required=True)
    q = qsub.add_parser("list", help="everyone's saved queries, whose each is")
    _common(q, suppress=True)
    q.add_argument("--table", metavar="TABLE", help="only the queries of this table (e.g. asiakas)")
    q = qsub.add_parser("run", help="run a saved query: print its rows, or save every row as Excel/CSV")
    _common(q, suppress=True)
    q.add_argument("name", metavar="NAME", help="the saved query's name")
    q.add_argument("--owner", metavar="LOGIN", help="whose query, when several users have one of that name")
    qout = q.add_mutually_exclusive_group()
    qout.add_argument("--xlsx", metavar="FILE", help="save every row to an Excel file")
    qout.add_argument("--csv", metavar="FILE", help="save every row to a CSV file (UTF-8 with BOM)")
    p = sub.add_parser("report", help="reports: the annual-contract customers report (PDF/Excel, emailed)")
    _common(p, suppress=True)
    repsub = p.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    r = repsub.add_parser("contracts", help="customers whose invoiced sales exceed a threshold: their purchases "
                          "by product department and group against a year earlier")
    _common(r, suppress=True)
    r.add_argument("--from", dest="start", default="", metavar="DATE", help="first day (default: 12 months ago)")
    r.add_argument("--to", dest="end", default="", metavar="DATE", help="last day (default: today)")
    r.add_argument("--threshold", default="10000", metavar="SUM", help="invoiced sales must exceed this (default 10000)")
    r.add_argument("--customer", default="", metavar="NUMBER", help="only this customer (asiakasnro)")
    r.add_argument("--format", dest="fmt", choices=("pdf", "xlsx"), default="pdf")
    r.add_argument("--send", choices=("runner", "customer", "salesperson"), default=None,
                   help="email the files: to you (one zip), to each customer, or to each customer's salesperson")
    r.add_argument("--out", metavar="DIR", default=None, help="where to keep the files (default: . without --send)")
    r.add_argument("--dry-run", action="store_true", help="say what would be sent and to whom; send nothing")
    r.add_argument("--yes", action="store_true", help="send without asking (for cron)")
    r.add_argument("--resend-unknown", action="store_true",
                   help="also send again the mails an earlier run could not tell were taken")
    p = sub.add_parser("serve", help="serve the TUI to web browsers (every browser logs in with a Pupesoft password)")
    _common(p, suppress=True)
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="the port to listen on (default 8000)")
    p.add_argument("--public-url", default=None, metavar="URL",
                   help="the address browsers use, behind a reverse proxy (e.g. https://crm.example.com)")
    p.add_argument("--no-password", action="store_true",
                   help="no login: every browser works as --user (only for a single-user machine)")
    return parser


def _customer_filter_arguments(p: argparse.ArgumentParser) -> None:
    """The customer list's filters, for `customers` and `labels`."""
    p.add_argument("--search", type=_search_text, default="", metavar="TEXT", help=f"words that start a name, town, number, phone or email (at most {MAX_SEARCH} characters)")
    p.add_argument("--department", default=None, metavar="OSASTO")
    p.add_argument("--group", default=None, metavar="RYHMA")
    p.add_argument("--district", default=None, metavar="PIIRI")
    p.add_argument("--salesperson", type=_whole_number(*INT32), default=None, metavar="N")
    p.add_argument("--status", default=None, metavar="TILA")


def _selection_arguments(p: argparse.ArgumentParser, *, default_limit: str) -> None:
    """The customer selection's filters (services/selection.py), for `labels` and `sms`."""
    _customer_filter_arguments(p)
    p.add_argument("--filter", action="append", default=[], metavar="FIELD=TEXT",
                   help="the field contains the text (name, address, postcode, city, country, department, "
                        "customer_group, district, flag_1..flag_4); repeatable")
    p.add_argument("--not", dest="negate", action="store_true", help="the --filter texts exclude instead")
    p.add_argument("--limit", default=default_limit, choices=["1000", "5000", "10000", "none"],
                   help=f"row limit (default {default_limit})")


def _selection_query(args):
    """The SelectionQuery of `_selection_arguments`; CliError (usage) for a bad --filter."""
    from pupetui.services import selection
    from pupetui.services.customers import CustomerQuery

    text_filters = []
    for item in args.filter:
        field_id, sep, text = item.partition("=")
        if not sep or field_id.strip() not in selection.TEXT_FIELD_IDS:
            raise CliError(f"--filter {item!r}: give FIELD=TEXT, FIELD one of {', '.join(selection.TEXT_FIELD_IDS)}",
                           EXIT_USAGE)
        text_filters.append((field_id.strip(), text))
    return selection.SelectionQuery(
        CustomerQuery(text=args.search, department=args.department, customer_group=args.group,
                      district=args.district, salesperson_no=args.salesperson, status=args.status),
        tuple(text_filters), args.negate, None if args.limit == "none" else int(args.limit),
    )


def _customer_columns():
    from pupetui.services.customers import COLUMNS

    return COLUMNS


class _ColumnIds:
    """The customer list's column ids, as argparse choices: the service is imported only when
    `--sort` is checked or the help is shown (not at every start of the TUI)."""

    def __contains__(self, value: object) -> bool:
        return value in list(self)

    def __iter__(self):
        return iter([c.id for c in _customer_columns()])


def _settings(args: argparse.Namespace) -> config.Settings:
    flags = {
        k: getattr(args, k, None)
        for k in ("db", "company", "user", "lang", "auth", "theme")
    }
    return config.load(flags, config_path=getattr(args, "config", None))


def sqlite_file(url: str):
    """The file of a sqlite:// URL (None for another database, or SQLite in memory)."""
    from pathlib import Path
    from urllib.parse import urlparse

    if db.kind_of(url) != "sqlite":
        return None
    path = urlparse(url).path[1:]  # as db.open_database reads it: sqlite:///rel/x, sqlite:////abs
    return Path(path) if path and path != ":memory:" else None


def refuse_missing_database(settings: config.Settings) -> None:
    """A command that works on an existing database (all but `init` and `demo`) refuses a SQLite
    file that is not there, before anything is made: a mistyped --db path makes no folders and
    no empty database. The default database is named with the ways to make one."""
    path = sqlite_file(settings.db_url)
    if path is None or path.exists():
        return
    make = "`pupetui init` makes one (`pupetui demo` fills one with demo data; `pupetui --demo` works on the demo database)"
    if not settings.db:
        raise CliError(f"no database yet at {path}: {make}", EXIT_USAGE)
    why = f"the folder {path.parent} does not exist" if not path.parent.is_dir() else "the file does not exist"
    raise CliError(f"no database {path} ({why}): check the path in --db, or `pupetui init --db "
                   f"{db.redact(settings.db_url)}` makes a new one", EXIT_USAGE)


def _open(settings: config.Settings, *, must_be_usable: bool = True):
    if must_be_usable:
        refuse_missing_database(settings)
    database = db.connect(settings.db_url)
    if must_be_usable:
        report = schema.check(database)
        if report.blocking:
            lines = "\n  ".join(p.describe() for p in report.blocking)
            raise CliError(
                f"the database {db.redact(settings.db_url)} cannot be used by pupetui:\n  {lines}\n"
                "Run `pupetui init` on an empty database, or `pupetui check` for details."
            )
    return database


def _company(settings: config.Settings) -> str:
    company = settings.company or auth.default_company()
    if not company:
        raise CliError("the database has no company (yhtio): run `pupetui demo` or set up Pupesoft first")
    if settings.company:
        known = [c.company for c in auth.companies()]
        if company not in known:
            shown = ", ".join(known[:20]) + (f" and {len(known) - 20} more" if len(known) > 20 else "")
            from pupetui.services.text import printable

            # the others are listed only to whom the operating system has logged in (no password asked)
            others = f"; its companies: {printable(shown) or 'none'}" if settings.auth == "none" else ""
            raise CliError(f"no company {printable(repr(company))} in the database "
                           f"{db.redact(settings.db_url)}{others}", EXIT_USAGE)
    return company


def headless_login(settings: config.Settings) -> str:
    """Log in for a headless command: asks the password on the terminal in password mode."""
    company = _company(settings)
    password = None
    if settings.auth == "password":
        password = os.environ.get("PUPETUI_PASSWORD")
        if password is None:
            if not sys.stdin.isatty():
                raise CliError("password required: run in a terminal or set PUPETUI_PASSWORD", EXIT_DENIED)
            password = getpass.getpass(f"Password for {settings.user}@{company}: ")
    from pupetui.services import login_guard

    # the failures count with the TUI's and the browsers' (one file in the user state dir)
    guard = login_guard.LoginGuard(limits=login_guard.Limits.from_settings(settings.serve))
    try:
        auth.login(company, settings.user, password, mode=settings.auth, guard=guard)
    except auth.LoginFailed as exc:
        raise CliError(str(exc), EXIT_DENIED) from None
    return company


def _open_program(settings: config.Settings, program) -> None:
    """Open the database, log in and require the right to the program (or exit refused)."""
    _open(settings)
    headless_login(settings)
    try:
        auth.require(program)
    except auth.AccessDenied as exc:
        raise CliError(str(exc), EXIT_DENIED) from None


def cmd_init(args, settings) -> int:
    database = _open(settings, must_be_usable=False)
    created = schema.init(database)
    if created:
        print(f"created {len(created)} table(s): {', '.join(created)}")
    else:
        print("all tables exist already; nothing was changed")
    report = schema.check(database)
    for line in report.lines():
        print(line)
    return EXIT_OK if not report.blocking else EXIT_ERROR


def cmd_check(args, settings) -> int:
    refuse_missing_database(settings)  # a check makes nothing
    database = _open(settings, must_be_usable=False)
    report = schema.check(database)
    print(f"database: {db.redact(settings.db_url)}")
    for line in report.lines():
        print(line)
    return EXIT_OK if not report.blocking else EXIT_ERROR


def cmd_demo(args, settings) -> int:
    from pupetui.services import demo

    if args.customers < 1:
        raise CliError("--customers must be at least 1", EXIT_USAGE)
    database = _open(settings, must_be_usable=False)
    schema.init(database)
    started = time.perf_counter()

    def progress(message: str) -> None:
        if not args.quiet:
            print(message, flush=True)

    try:
        stats = demo.generate(database, customers=args.customers, seed=args.seed, progress=progress)
    except ValueError as exc:  # e.g. the demo companies exist already
        raise CliError(str(exc)) from None
    seconds = time.perf_counter() - started
    print(stats.summary(seconds))
    return EXIT_OK


def cmd_whoami(args, settings) -> int:
    _open(settings)
    company = headless_login(settings)
    print(f"{settings.user}@{company}")
    for program in auth.allowed_programs():
        print(f"  {program.id}")
    return EXIT_OK


def cmd_customers(args, settings) -> int:
    from pupetui.services import customers
    from pupetui.services.programs import CUSTOMERS
    from pupetui.services.text import printable

    _open_program(settings, CUSTOMERS)
    query = customers.CustomerQuery(
        text=args.search, department=args.department, customer_group=args.group,
        district=args.district, salesperson_no=args.salesperson, status=args.status,
        sort=args.sort, descending=args.desc, whole_group=args.whole_group,
    )
    if args.xlsx:
        from pupetui.services.export import ExportError

        try:
            result = customers.export_xlsx(query, args.xlsx)
        except ExportError as exc:
            raise CliError(str(exc)) from None
        print(f"saved {result.rows} customer(s) to {result.path}")
        return EXIT_OK
    columns = [c for c in customers.COLUMNS if c.id in ("name", "city", "business_id", "customer_no", "phone")]
    for row in customers.page(query, 0, max(0, args.limit)):
        mark = "*" if row.is_prospect else " "
        cells = [printable(row.value(c.id))[: c.width].ljust(c.width) for c in columns]
        print(mark + " ".join(cells).rstrip())
    return EXIT_OK


def cmd_labels(args, settings) -> int:
    from pathlib import Path

    import peewee

    from pupetui import i18n
    from pupetui.services import labels, selection
    from pupetui.services.export import ExportError
    from pupetui.services.programs import LABELS

    _open_program(settings, LABELS)
    query = _selection_query(args)
    output = Path(args.output).suffix.lower().lstrip(".")
    if output not in ("pdf", "xlsx"):
        raise CliError("--output must end with .pdf (labels) or .xlsx (addresses)", EXIT_USAGE)
    language = settings.labels.get("language") or i18n.current_language()
    try:
        job = labels.LabelJob(
            query, options=labels.LabelOptions(args.delivery_address, args.per_contact, language),
            output=output, sheet=labels.find_sheet(args.sheet, settings.labels.get("sheets")),
            start=args.start, memo_text=args.memo, font_path=settings.labels.get("font", ""),
        )
        result = labels.print_labels(args.output, job)
    except (labels.LabelError, selection.SelectionError) as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    except ExportError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    except peewee.PeeweeException as exc:  # the memos (one transaction): none was written
        raise CliError(f"the database failed, no memo was written: {exc}") from None
    what = f"{result.labels} label(s) on {result.pages} page(s)" if output == "pdf" else f"{result.labels} address(es)"
    print(f"saved {what} to {result.path}")
    if result.memos:
        print(f"wrote {result.memos} memo(s) (Osoitetarrat) on the customers")
    return EXIT_OK


def cmd_calendar(args, settings) -> int:
    from pupetui.services import calendar, export_target
    from pupetui.services.programs import CALENDAR
    from pupetui.services.validation import ValidationError

    _open(settings)
    headless_login(settings)
    try:
        auth.require(CALENDAR)
        start = calendar.parse_date(args.start, "--from")
        end = calendar.parse_date(args.end, "--to")
        owner = args.owner or settings.user
        path = export_target.resolve(args.out, "ics")
        count = calendar.export_ics(owner, start, end, path)
    except auth.AccessDenied as exc:
        raise CliError(str(exc), EXIT_DENIED) from None
    except ValidationError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    except export_target.ExportError as exc:
        raise CliError(str(exc)) from None
    print(f"wrote {count} entr{'y' if count == 1 else 'ies'} of {owner} to {path}")
    return EXIT_OK


def cmd_reminders(args, settings) -> int:
    from pupetui.services import reminders
    from pupetui.services.mail import SmtpConfig
    from pupetui.services.programs import REMINDERS
    from pupetui.services.text import printable

    _open(settings)
    headless_login(settings)
    try:
        auth.require(REMINDERS)
        if args.reminders_command == "list":
            for row in reminders.waiting(args.owner or settings.user):
                mark = "!" if row.overdue else " "
                due = row.due.strftime("%d.%m.%Y %H:%M") if row.due else ""
                who = f" [{printable(row.customer_name)}]" if row.customer_name else ""
                print(f"{mark} {due}  {row.kind:<9} {row.owner:<10}{who} {printable(row.text)[:120]}")
            return EXIT_OK
        config = SmtpConfig.from_settings(settings.smtp)
        if not config.configured:
            raise CliError("email is not configured: set [smtp] host and sender")
        report = reminders.notify(config)
    except auth.AccessDenied as exc:
        raise CliError(str(exc), EXIT_DENIED) from None
    for line in report.lines():
        print(line)
    return EXIT_ERROR if report.failed or report.refused else EXIT_OK


def cmd_sms(args, settings) -> int:
    import signal
    import threading

    from pupetui.services import sms, sms_batch
    from pupetui.services.programs import SMS
    from pupetui.services.text import printable

    filters = bool(args.search or args.filter or args.negate or args.contacts or any(
        v is not None for v in (args.department, args.group, args.district, args.salesperson, args.status)))
    to_customers = args.customers or filters
    new_batch = bool(args.to or to_customers or args.text is not None)
    modes = sum((new_batch, args.resume is not None, args.close is not None, args.batches))
    if modes != 1:
        raise CliError("give --to NUMBER and/or customer filters with --text, or one of --resume, --close, --batches", EXIT_USAGE)
    if new_batch and (not args.text or not (args.to or to_customers)):
        raise CliError("a new message needs --text and recipients (--to NUMBER, --customers or filters)", EXIT_USAGE)
    _open_program(settings, SMS)
    config = sms.SmsConfig.from_settings(settings.sms)

    def describe(batch) -> str:
        counts = ", ".join(f"{n} {state}" for state, n in batch.summary().items())
        return f"batch {batch.id} ({batch.created_at or ''}): {counts}"

    try:
        if args.batches:
            for batch in sms_batch.unfinished():
                print(f"{describe(batch)}: {printable(batch.text)[:60]}")
            return EXIT_OK
        if args.close is not None:
            sms_batch.close(args.close)
            print(f"batch {args.close} closed: nothing more is sent")
            return EXIT_OK
        if args.resume is not None:
            batches = sms_batch.unfinished()
            batch_id = args.resume or (batches[0].id if batches else "")
            if not batch_id:
                print("no unfinished SMS batches")
                return EXIT_OK
            batch = sms_batch.load(batch_id)
        else:
            recipients = sms_batch.typed_recipients(args.to)
            if to_customers:
                recipients += _sms_customer_recipients(args)
            plan = sms_batch.plan(recipients, args.text, max_length=config.max_length)
            for s in plan.invalid + plan.duplicates:
                who = f" {printable(s.name)}" if s.name else ""
                print(f"skipped {printable(s.number) or '-'}{who}: {s.reason}", file=sys.stderr)
            print(f"{plan.messages} message(s), {plan.encoding.parts} SMS each ({plan.encoding.name}, "
                  f"{len(plan.text)} characters): {plan.parts} SMS")
            if not plan.targets:  # with --dry-run too: nothing could be sent
                raise CliError("no recipients with a valid mobile number", EXIT_USAGE)
            if args.dry_run:
                for t in plan.targets:
                    print(f"would send  {t.number}  {printable(t.name)}".rstrip())
                return EXIT_OK
            if not config.configured:
                raise CliError("SMS is not configured: set [sms] url, user and password")
            batch = sms_batch.start(plan)
        stop = threading.Event()

        def on_interrupt(signum, frame):
            if stop.is_set():
                raise KeyboardInterrupt
            stop.set()
            print("stopping after the current message (Ctrl-C again to quit at once)", file=sys.stderr, flush=True)

        def progress(row) -> None:
            if row.state != sms_batch.SENDING:
                name = f"  {printable(row.name)}" if row.name else ""
                answer = f"  {printable(row.answer)}" if row.state != sms.SENT else ""
                print(f"{row.state:<8} {row.number}{name}{answer}", flush=True)

        previous = signal.signal(signal.SIGINT, on_interrupt)
        try:
            batch = sms_batch.run(batch.id, config, progress=progress, stop=stop,
                                  resend_unknown=args.resend_unknown)
        finally:
            signal.signal(signal.SIGINT, previous)
    except sms.SmsError as exc:
        raise CliError(str(exc), EXIT_USAGE if not isinstance(exc, sms.NotConfigured) else EXIT_ERROR) from None
    except sms_batch.BatchError as exc:
        raise CliError(str(exc)) from None
    except (CliError, auth.AccessDenied, db.DatabaseError):
        raise
    except Exception as exc:  # noqa: BLE001 - the database's error, told plainly (cron reads it)
        raise CliError(f"the SMS batch failed: {printable(str(exc) or type(exc).__name__)}") from None
    print(describe(batch))
    if batch.unknown:
        print(f"{len(batch.unknown)} message(s) may or may not have gone out: `pupetui sms --resume {batch.id} "
              f"--resend-unknown` sends them again, `pupetui sms --close {batch.id}` leaves them", file=sys.stderr)
    if batch.to_send:
        print(f"{batch.to_send} not sent yet: `pupetui sms --resume {batch.id}` sends them", file=sys.stderr)
    return EXIT_ERROR if batch.count(sms.REFUSED, sms.FAILED, sms.UNKNOWN) or batch.to_send else EXIT_OK


def _sms_customer_recipients(args):
    from pupetui.services import selection, sms_batch

    rows = selection.ticked_rows(_selection_query(args))
    return sms_batch.customer_recipients(rows, to_contacts=args.contacts)


def cmd_sql(args, settings) -> int:
    from pupetui.services import sql_console
    from pupetui.services.export import ExportError

    if args.grant_recipe:
        from pupetui.services import sql_grants

        if args.statement or args.saved or args.xlsx or args.csv:
            raise CliError("--grant-recipe prints SQL to run as an administrator: give no query with it", EXIT_USAGE)
        try:
            print(sql_grants.grant_recipe(args.grant_recipe, database=args.database, company=args.per_company), end="")
        except sql_grants.RecipeError as exc:
            raise CliError(str(exc), EXIT_USAGE) from None
        return EXIT_OK
    if args.per_company:
        raise CliError("--per-company goes with --grant-recipe", EXIT_USAGE)
    if bool(args.statement) == bool(args.saved):
        raise CliError("give one SQL statement, or --saved NAME", EXIT_USAGE)
    _open(settings)
    headless_login(settings)
    console = sql_console.SqlConsole.from_settings(settings)
    query = None
    try:
        query = console.query_saved(args.saved) if args.saved else console.query(args.statement)
        target = args.xlsx or args.csv
        if target:
            result = query.export(target, "xlsx" if args.xlsx else "csv")
            sheets = f" on {result.sheets} sheets" if result.sheets > 1 else ""
            print(f"saved {result.rows} row(s) to {result.path}{sheets}")
            return EXIT_OK
        columns = query.start()
        rows = query.fetch_all()
    except auth.AccessDenied as exc:
        raise CliError(str(exc), EXIT_DENIED) from None
    except sql_console.StatementRefused as exc:
        raise CliError(f"refused: {exc}", EXIT_USAGE) from None
    except sql_console.ExportLimit as exc:
        raise CliError(str(exc), EXIT_LIMIT) from None
    except (sql_console.SqlError, sql_console.SavedQueryNotFound, ExportError) as exc:
        raise CliError(str(exc)) from None
    except MemoryError:
        raise CliError("the result did not fit in memory: select fewer or shorter values") from None
    except KeyboardInterrupt:
        if query is not None:
            query.cancel()
        raise
    for line in sql_console.text_table(columns, rows):
        print(line)
    if query.over_budget:
        more = f"; {query.budget_note()}, --csv/--xlsx save them all"
    elif query.truncated:
        more = f"; more rows were left: the first {len(rows)} shown (sql.row_limit), --csv/--xlsx save them all"
    else:
        more = ""
    print(f"({len(rows)} row(s), {query.elapsed:.2f} s{more})", file=sys.stderr)
    return EXIT_OK


def cmd_query(args, settings) -> int:
    from itertools import chain, islice

    from pupetui.services import query_generator as Q
    from pupetui.services import sql_values
    from pupetui.services.export import ExportError, write_csv, write_xlsx_sheets
    from pupetui.services.text import printable
    from pupetui.services.validation import ValidationError

    _open(settings)
    headless_login(settings)

    def text_table(headers, rows, kinds):
        """Lines of an aligned table; the widths come from the first rows, the rest stream."""
        numeric = [k in ("int", "decimal") for k in kinds]
        cents = [i for i, k in enumerate(kinds) if k == "decimal"]

        def cells(row):
            texts = ["NULL" if v is None else printable(v) for v in row]
            for i in cents:  # SQLite gives 301.5 and 402 for decimal(12,2): show 301.50 and 402.00
                if isinstance(row[i], (int, float)) and len(texts[i].partition(".")[2]) < 2:
                    texts[i] = f"{row[i]:.2f}"
            return texts

        rows = iter(rows)
        first = [cells(r) for r in islice(rows, 200)]
        widths = [min(40, max([len(h)] + [len(r[i]) for r in first])) for i, h in enumerate(headers)]

        def line(texts):
            out = []
            for i, (text, width) in enumerate(zip(texts, widths)):
                text = text if len(text) <= width else text[: width - 1] + "…"
                out.append(text.rjust(width) if numeric[i] else text.ljust(width))
            return "  ".join(out).rstrip()

        yield line([printable(h) for h in headers])
        yield line(["-" * w for w in widths])
        for texts in chain(first, map(cells, rows)):
            yield line(texts)

    try:
        if args.query_command == "list":
            if args.table and args.table not in Q.tables():
                raise CliError(f"no table {args.table!r} with a company column", EXIT_USAGE)
            saved = Q.saved_queries(args.table)
            rows = [(q.name, q.owner + (" (you)" if q.mine else ""), q.table,
                     q.created_at.strftime("%Y-%m-%d %H:%M") if q.created_at else "") for q in saved]
            for text in text_table(["name", "owner", "table", "saved"], rows, ["text"] * 4):
                print(text)
            return EXIT_OK
        try:
            saved = Q.find_saved(args.name, args.owner)
        except ValidationError as exc:
            raise CliError(str(exc), EXIT_USAGE) from None
        Q.check_saved(saved)
        built = Q.build(saved.spec)
        if args.xlsx or args.csv:
            rows = Q.export_rows(built, settings=settings)
            if args.xlsx:
                result = write_xlsx_sheets(args.xlsx, built.headers, rows, sheet=saved.table)
            else:
                result = write_csv(args.csv, built.headers, rows)
            sheets = f" on {result.sheets} sheets" if result.sheets > 1 else ""
            print(f"saved {result.rows} row(s) of {saved.name!r} ({saved.owner}) to {result.path}{sheets}")
            return EXIT_OK
        lines = 0
        for text in text_table(built.headers, Q.run(built, settings=settings), built.kinds):
            print(text)
            lines += 1
        print(f"({lines - 2} row(s) of {saved.name!r} ({saved.owner}))", file=sys.stderr)
        return EXIT_OK
    except auth.AccessDenied as exc:
        raise CliError(str(exc), EXIT_DENIED) from None
    except Q.SecretColumn as exc:
        raise CliError(f"refused: {exc}", EXIT_DENIED) from None
    except sql_values.ExportLimit as exc:
        raise CliError(str(exc), EXIT_LIMIT) from None
    except (CliError, BrokenPipeError):
        raise
    except (ValidationError, ExportError) as exc:
        raise CliError(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - the database's error, told plainly (cron reads it)
        raise CliError(f"the query failed: {printable(str(exc) or type(exc).__name__)}") from None


def cmd_report(args, settings) -> int:
    import tempfile
    from pathlib import Path

    from pupetui import i18n
    from pupetui.services import contracts, contracts_mail
    from pupetui.services.export import ExportError
    from pupetui.services.mail import SmtpConfig
    from pupetui.services.programs import CONTRACTS
    from pupetui.services.text import printable
    from pupetui.services.validation import ValidationError

    _open(settings)
    headless_login(settings)
    try:
        auth.require(CONTRACTS)
        request = contracts.make_request(args.start, args.end, args.threshold, args.customer, args.fmt,
                                         args.send or "runner", i18n.current_language())
        prepared = contracts_mail.prepare(request, resend_unknown=args.resend_unknown)
    except auth.AccessDenied as exc:
        raise CliError(str(exc), EXIT_DENIED) from None
    except ValidationError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    except contracts_mail.JournalError as exc:
        raise CliError(str(exc)) from None
    period = request.period
    before = period.year_earlier()
    print(f"period {period.start:%d.%m.%Y}-{period.end:%d.%m.%Y} (a year earlier {before.start:%d.%m.%Y}-"
          f"{before.end:%d.%m.%Y}); invoiced sales over {request.threshold}: {len(prepared.customers)} customer(s)")
    for c in prepared.customers[:20] if args.send else ():
        print(f"  {printable(c.customer_no):>10} {printable(c.name)[:40]:<40} {c.invoiced:>14}")
    if args.send and len(prepared.customers) > 20:
        print(f"  ... and {len(prepared.customers) - 20} more")
    started = time.perf_counter()

    def files_progress(done, total, name):
        if done == total or done % 100 == 0:
            print(f"  files: {done}/{total}", file=sys.stderr, flush=True)

    try:
        if not args.send:
            if args.dry_run:
                print(f"would write {len(prepared.customers)} {request.fmt} file(s)")
                return EXIT_OK
            folder = Path(args.out or ".")
            documents = contracts_mail.write_files(prepared, folder, progress=files_progress)
            print(f"wrote {len(documents)} file(s) to {folder} in {time.perf_counter() - started:.1f} s")
            return EXIT_OK
        for line in prepared.plan.lines():
            print(printable(line))
        if args.dry_run:
            return EXIT_OK
        if not prepared.plan.to_send:
            print("nothing to send")
            return EXIT_OK
        config = SmtpConfig.from_settings(settings.smtp)
        if not config.configured:
            raise CliError("email is not configured: set [smtp] host and sender")
        if not args.yes:
            if not sys.stdin.isatty():
                raise CliError("add --yes to send without asking (or --dry-run to see what would go)", EXIT_USAGE)
            answer = input(f"Send {len(prepared.plan.to_send)} email(s)? [y/N] ").strip().lower()
            if answer not in ("y", "yes", "k", "kyllä"):
                print("nothing was sent")
                return EXIT_OK

        def progress(done, total, label):
            if label:
                print(f"  sending {done + 1}/{total}: {printable(label)}", file=sys.stderr, flush=True)

        with tempfile.TemporaryDirectory(prefix="pupetui-report-") as tmp:
            folder = Path(args.out) if args.out else Path(tmp)
            _documents, results = contracts_mail.execute(prepared, folder, config, progress=progress,
                                                         files_progress=files_progress,
                                                         resend_unknown=args.resend_unknown)
    except (ExportError, contracts_mail.JournalError) as exc:
        raise CliError(str(exc)) from None
    for result in results:
        print(printable(result.line()))
    bad = [r for r in results if r.status in (contracts_mail.FAILED, contracts_mail.UNKNOWN, contracts_mail.NOT_SENT)]
    sent = sum(1 for r in results if r.status == contracts_mail.SENT)
    partly = [r for r in results if r.status == contracts_mail.SENT and r.refused]
    refused = (f" ({len(partly)} of them not to every address: the server refused "
               f"{printable(', '.join(a for r in partly for a in r.refused))}; not sent again)" if partly else "")
    print(f"{sent} sent{refused}, {len(bad)} not sent or unknown ({time.perf_counter() - started:.1f} s)"
          + ("; run the same command again to send the rest" if bad else ""))
    return EXIT_ERROR if bad or partly else EXIT_OK


def ensure_demo_database(settings: config.Settings) -> config.Settings:
    """`--demo`: the demo database, made on first use; the demo user unless one was given."""
    from pupetui.services import demo

    if not settings.db:
        settings.db = config.demo_db_url()
    database = db.connect(settings.db)
    schema.init(database)
    added = schema.add_missing_columns(database)  # a demo made by an older pupetui
    if added:
        print(f"The demo database was made by an older pupetui: added {len(added)} column(s).",
              file=sys.stderr, flush=True)
    if not auth.default_company():
        print("Making the demo database (first start only)...", file=sys.stderr, flush=True)
        demo.generate(database, customers=demo.DEFAULT_CUSTOMERS, seed=1)
    if not settings.company:
        settings.company = demo.DEMO_COMPANY
    if auth.find_user(settings.company, settings.user) is None:
        settings.user = demo.DEMO_USER
    return settings


def run_tui(args, settings) -> int:
    # The start allocates much and frees little: no garbage collection passes until the app's
    # first frame (the app turns it on again then; here too if it never gets that far).
    gc.disable()
    try:
        return _run_tui(args, settings)
    finally:
        gc.enable()


def _run_tui(args, settings) -> int:
    if args.demo:
        settings = ensure_demo_database(settings)
    _open(settings)
    company = _company(settings)
    if settings.auth == "none":
        try:
            auth.login(company, settings.user, None, mode="none")
        except auth.LoginFailed as exc:
            raise CliError(f"{exc} (user {settings.user!r}, company {company!r})", EXIT_DENIED) from None
    from pupetui.app import PupetuiApp
    from pupetui.services import export_target

    export_target.remove_partials_before_dying()
    app = PupetuiApp(settings, company=company)
    app.run()
    return app.return_code or EXIT_OK


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def serve_environment(settings: config.Settings, company: str, *, no_password: bool) -> dict[str, str]:
    """What each browser's `pupetui` gets in its environment: the same database, company, language
    and theme as this command, and the Pupesoft login (auth = password) whatever the configuration
    says, since a browser user is nobody the operating system has logged in. The database address
    goes in the environment, not the command line, so a password in it is not on show in `ps`."""
    env = {"PUPETUI_DB": settings.db_url, "PUPETUI_COMPANY": company,
           "PUPETUI_AUTH": "none" if no_password else "password",
           "PUPETUI_SERVED": "1"}  # exports go to the user's own folder and the browser (export_target)
    if settings.source:
        env["PUPETUI_CONFIG"] = settings.source
    if settings.lang:
        env["PUPETUI_LANG"] = settings.lang
    if settings.theme:
        env["PUPETUI_THEME"] = settings.theme
    if no_password:
        env["PUPETUI_USER"] = settings.user
    return env


def cmd_serve(args, settings) -> int:
    if getattr(args, "auth", None) == "none" and not args.no_password:
        raise CliError("`pupetui serve` always asks browsers for the Pupesoft password; "
                       "--no-password turns that off", EXIT_USAGE)
    if args.demo:
        settings = ensure_demo_database(settings)
    _open(settings)  # a database pupetui cannot use is refused here, not in every browser
    company = _company(settings)
    if not 0 < args.port < 65536:
        raise CliError("--port must be between 1 and 65535", EXIT_USAGE)
    if args.no_password:
        try:
            auth.login(company, settings.user, None, mode="none")
        except auth.LoginFailed as exc:
            raise CliError(f"{exc} (user {settings.user!r}, company {company!r})", EXIT_DENIED) from None
        print(f"pupetui: warning: --no-password: everyone who reaches {args.host}:{args.port} "
              f"works as {settings.user!r} without logging in", file=sys.stderr)
    if args.host not in LOOPBACK_HOSTS and not (args.public_url or "").startswith("https://"):
        print(f"pupetui: warning: serving on {args.host} without TLS: passwords cross the network in "
              "clear text. Put a reverse proxy with TLS in front and give --public-url https://...",
              file=sys.stderr)
    try:
        from pupetui.serve import PupetuiServer, session_command
    except ImportError:
        raise CliError("`pupetui serve` needs the textual-serve package: pip install textual-serve") from None
    os.environ.update(serve_environment(settings, company, no_password=args.no_password))
    # the Origin check, the session caps, the message checks: pupetui/serve.py
    server = PupetuiServer(session_command(), host=args.host, port=args.port, public_url=args.public_url,
                           options=settings.serve)
    server.serve()
    return EXIT_OK


COMMANDS = {
    "init": cmd_init, "check": cmd_check, "demo": cmd_demo, "whoami": cmd_whoami,
    "customers": cmd_customers, "labels": cmd_labels, "calendar": cmd_calendar, "reminders": cmd_reminders,
    "sql": cmd_sql, "query": cmd_query, "report": cmd_report, "sms": cmd_sms, "serve": cmd_serve,
}


def _writes_files(args) -> bool:
    """A command that writes files for the user: SIGTERM, SIGINT and SIGHUP stop it without
    leaving a partial file (exit 128 + the signal). Not `report --send`: a mail being sent is
    not cut in the middle."""
    command = args.command
    if command in ("labels", "calendar"):
        return True
    if command == "report":
        return not args.send
    return command in ("customers", "sql", "query") and bool(getattr(args, "xlsx", None) or getattr(args, "csv", None))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = _settings(args)
        demo_url = config.demo_db_url() if getattr(args, "demo", False) and not settings.db else ""
        import_peewee_for(demo_url or settings.db_url)
        from pupetui import i18n

        i18n.set_language(settings.lang or i18n.language_from_locale())
        if args.command and getattr(args, "demo", False) and args.command != "serve":
            if args.command == "demo":  # fills the demo database (an error if it is filled already)
                settings.db = settings.db or config.demo_db_url()
            else:  # every command as the TUI: on the demo database, made on first use
                settings = ensure_demo_database(settings)
        if args.command and _writes_files(args):
            from pupetui.services import export_target

            try:
                with export_target.remove_partials_on_signals():
                    return COMMANDS[args.command](args, settings)
            except export_target.Interrupted as exc:
                print(f"pupetui: stopped by {exc.name}; no file was written", file=sys.stderr)
                return exc.exit_code
        if args.command:
            return COMMANDS[args.command](args, settings)
        return run_tui(args, settings)
    except (CliError, config.ConfigError, db.DatabaseError, auth.AccessDenied) as exc:
        print(f"pupetui: {exc}", file=sys.stderr)
        return getattr(exc, "code", EXIT_ERROR)
    except KeyboardInterrupt:
        print("pupetui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `pupetui customers | head`: the reader has had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
