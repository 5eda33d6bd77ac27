"""The `pupetui` command: the TUI, and its headless subcommands.

Every headless subcommand calls the same service the screens call.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from typing import Sequence

from pupetui import config, db
from pupetui.services import auth, schema

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
    parser.add_argument("--theme", default=None, help="colour theme")
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
    p.add_argument("--sort", default="name", choices=[c.id for c in _customer_columns()])
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
    return parser


def _customer_columns():
    from pupetui.services.customers import COLUMNS

    return COLUMNS


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
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = _settings(args)
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
