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


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_ERROR):
        super().__init__(message)
        self.code = code


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    d = argparse.SUPPRESS if suppress else None
    parser.add_argument("--config", metavar="PATH", default=d, help="the TOML configuration file")
    parser.add_argument("--db", metavar="URL", default=d, help="sqlite:///path, mysql://user:pass@host/db or postgresql://...")
    parser.add_argument("--company", metavar="YHTIO", default=d, help="the company (yhtio) to work in")
    parser.add_argument("--user", metavar="LOGIN", default=d, help="the user (kuka); default: the OS user name")
    parser.add_argument("--lang", choices=config.LANGUAGES, default=d, help="fi or en; default: from the locale")
    parser.add_argument("--auth", choices=config.AUTH_MODES, default=d, help="none (trust the OS/SSH login) or password")


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
    p.add_argument("--customers", type=int, default=300, metavar="N", help="customers of the demo company, the second gets a tenth (default 300)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
    p.add_argument("--quiet", action="store_true", help="print only the summary")
    p = sub.add_parser("whoami", help="log in and list the programs the user may use")
    _common(p, suppress=True)
    p = sub.add_parser("customers", help="the customer list: search, filter, print or save as Excel")
    _common(p, suppress=True)
    p.add_argument("--search", default="", metavar="TEXT", help="words that start a name, town, number, phone or email")
    p.add_argument("--department", default=None, metavar="OSASTO")
    p.add_argument("--group", default=None, metavar="RYHMA")
    p.add_argument("--district", default=None, metavar="PIIRI")
    p.add_argument("--salesperson", type=int, default=None, metavar="N")
    p.add_argument("--status", default=None, metavar="TILA")
    p.add_argument("--sort", default="name", choices=_ColumnIds(), metavar="COLUMN", help="sort by: %(choices)s")
    p.add_argument("--desc", action="store_true", help="sort descending")
    p.add_argument("--whole-group", action="store_true", help="all companies of the group (konserni)")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="rows to print (default 50)")
    p.add_argument("--xlsx", metavar="PATH", help="save every selected customer to an Excel file instead")
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
    p = sub.add_parser("sql", help="the SQL search: run a read-only query, print it or save every row as Excel/CSV")
    _common(p, suppress=True)
    p.add_argument("statement", nargs="?", metavar="SQL", help="one SELECT (or WITH ... SELECT) query")
    p.add_argument("--saved", metavar="NAME", help="run a saved query (muisti, haku sql-query) instead")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--xlsx", metavar="FILE", help="save every row to an Excel file")
    out.add_argument("--csv", metavar="FILE", help="save every row to a CSV file (UTF-8 with BOM)")
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
    return parser


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


def _open(settings: config.Settings, *, must_be_usable: bool = True):
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
    try:
        auth.login(company, settings.user, password, mode=settings.auth)
    except auth.LoginFailed as exc:
        raise CliError(str(exc), EXIT_DENIED) from None
    return company


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

    _open(settings)
    headless_login(settings)
    try:
        auth.require(CUSTOMERS)
    except auth.AccessDenied as exc:
        raise CliError(str(exc), EXIT_DENIED) from None
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


def cmd_calendar(args, settings) -> int:
    from pupetui.services import calendar
    from pupetui.services.programs import CALENDAR
    from pupetui.services.validation import ValidationError

    _open(settings)
    headless_login(settings)
    try:
        auth.require(CALENDAR)
        start = calendar.parse_date(args.start, "--from")
        end = calendar.parse_date(args.end, "--to")
        owner = args.owner or settings.user
        count = calendar.export_ics(owner, start, end, args.out)
    except auth.AccessDenied as exc:
        raise CliError(str(exc), EXIT_DENIED) from None
    except ValidationError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    print(f"wrote {count} entr{'y' if count == 1 else 'ies'} of {owner} to {args.out}")
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
    return EXIT_ERROR if report.failed else EXIT_OK


def cmd_sql(args, settings) -> int:
    from pupetui.services import sql_console
    from pupetui.services.export import ExportError

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
    except (sql_console.SqlError, sql_console.SavedQueryNotFound, ExportError) as exc:
        raise CliError(str(exc)) from None
    except KeyboardInterrupt:
        if query is not None:
            query.cancel()
        raise
    for line in sql_console.text_table(columns, rows):
        print(line)
    more = f"; more rows were left: the first {len(rows)} shown (sql.row_limit), --csv/--xlsx save them all" if query.truncated else ""
    print(f"({len(rows)} row(s), {query.elapsed:.2f} s{more})", file=sys.stderr)
    return EXIT_OK


def cmd_query(args, settings) -> int:
    from itertools import chain, islice

    from pupetui.services import query_generator as Q
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
        built = Q.build(saved.spec)
        rows = Q.run(built)
        if args.xlsx or args.csv:
            if args.xlsx:
                result = write_xlsx_sheets(args.xlsx, built.headers, rows, sheet=saved.table)
            else:
                result = write_csv(args.csv, built.headers, rows)
            sheets = f" on {result.sheets} sheets" if result.sheets > 1 else ""
            print(f"saved {result.rows} row(s) of {saved.name!r} ({saved.owner}) to {result.path}{sheets}")
            return EXIT_OK
        lines = 0
        for text in text_table(built.headers, rows, built.kinds):
            print(text)
            lines += 1
        print(f"({lines - 2} row(s) of {saved.name!r} ({saved.owner}))", file=sys.stderr)
        return EXIT_OK
    except auth.AccessDenied as exc:
        raise CliError(str(exc), EXIT_DENIED) from None
    except (CliError, BrokenPipeError):
        raise
    except (ValidationError, ExportError) as exc:
        raise CliError(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - the database's error, told plainly (cron reads it)
        raise CliError(f"the query failed: {printable(str(exc) or type(exc).__name__)}") from None


def ensure_demo_database(settings: config.Settings) -> config.Settings:
    """`--demo`: the demo database, made on first use; the demo user unless one was given."""
    from pupetui.services import demo

    if not settings.db:
        settings.db = config.demo_db_url()
    database = db.connect(settings.db)
    schema.init(database)
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

    app = PupetuiApp(settings, company=company)
    app.run()
    return app.return_code or EXIT_OK


COMMANDS = {
    "init": cmd_init, "check": cmd_check, "demo": cmd_demo, "whoami": cmd_whoami,
    "customers": cmd_customers, "calendar": cmd_calendar, "reminders": cmd_reminders,
    "sql": cmd_sql, "query": cmd_query,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = _settings(args)
        demo_url = config.demo_db_url() if getattr(args, "demo", False) and not settings.db else ""
        import_peewee_for(demo_url or settings.db_url)
        from pupetui import i18n

        i18n.set_language(settings.lang or i18n.language_from_locale())
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
