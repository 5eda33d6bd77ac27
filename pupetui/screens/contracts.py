"""The annual-contract customers report (Pupesoft's Vuosisopimusasiakkaat, "Ostoseuranta").

The form (period, threshold, one customer or all, PDF or Excel, who gets it, the folder for the
files), a preview of the qualifying customers with totals (F5), and the run (ctrl+s): a
confirmation that says how many emails would go out and lists the customers without an email
address, then progress and each recipient's result in the table. Esc asks before discarding a
changed form. Everything goes through services.contracts / contracts_mail, as `pupetui report
contracts` does.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Input, ProgressBar, Select, Static

from pupetui.i18n import N_, _, current_language, format_date, format_decimal
from pupetui.screens.base import PupeScreen
from pupetui.screens.export_file import browser_note, shown
from pupetui.services import contracts, contracts_mail, export_target
from pupetui.services.mail import SmtpConfig
from pupetui.services.validation import ValidationError
from pupetui.widgets.confirm import ConfirmScreen
from pupetui.widgets.form import FormField
from pupetui.widgets.literal import literal, literal_line, printable
from pupetui.widgets.refusals import translate_refusal
from pupetui.services import failures

CSS = Path(__file__).with_name("contracts.tcss")
SAVE_ONLY = "files"
RECIPIENT_CHOICES = (
    (N_("Save the files only"), SAVE_ONLY),
    (N_("Me, one zip"), "runner"),
    (N_("Each customer"), "customer"),
    (N_("Each customer's salesperson"), "salesperson"),
)
FIELDS = {"start": "contracts-start", "end": "contracts-end", "threshold": "contracts-threshold",
          "customer": "contracts-customer", "folder": "contracts-folder"}
REFUSALS = (
    (re.compile(r"^threshold: .* is not a number"), N_("Give the threshold as a number, e.g. 10000.")),
    (re.compile(r"^threshold: give a sum"), N_("Give the threshold as a number, e.g. 10000.")),
    (re.compile(r"^threshold: must not be negative"), N_("The threshold must not be negative.")),
    (re.compile(r"^threshold: too large"), N_("The threshold is too large.")),
    (re.compile(r"^(start|end): write the date"), N_("Write the date as dd.mm.yyyy.")),
    (re.compile(r"^(start|end): .* is not a date"), N_("There is no such date.")),
    (re.compile(r"^end: the period ends before it starts"), N_("The period ends before it starts.")),
    (re.compile(r"^customer: no customer has the number"), N_("No customer has that number.")),
    (re.compile(r"^customer: "), N_("That is not a customer number.")),
)
WHY = {
    "no email": N_("no email address"),
    "no salesperson": N_("no salesperson"),
    "salesperson has no email": N_("the salesperson has no email address"),
    "runner has no email": N_("you have no email address"),
}
STATUS = {
    contracts_mail.SENT: N_("sent"),
    contracts_mail.ALREADY_SENT: N_("sent earlier"),
    contracts_mail.FAILED: N_("FAILED"),
    contracts_mail.UNKNOWN: N_("UNKNOWN: not sent again"),
    contracts_mail.NOT_SENT: N_("NOT SENT"),
}

# The mail client's own words for a mail that did not go (services/mail.py), in the user's
# language and without the Python exception text after them; a server's refusal names whom.
DETAILS = (
    (re.compile(r"cannot connect to the mail server (?P<value>\S+?):? "), N_("cannot connect to the mail server {value}")),
    (re.compile(r"email is not configured"), N_("email is not configured: set [smtp] host (and sender)")),
    (re.compile(r"the mail server did not take the mail"), N_("the mail server did not take the mail")),
    (re.compile(r"the mail server refused (?P<value>.*)"), N_("the mail server refused {value}")),
    (re.compile(r"stopped before it was sent"), N_("stopped before it was sent")),
    (re.compile(r"the connection to the mail server broke"),
     N_("the connection to the mail server broke: it may or may not have been taken")),
)


def detail_text(detail: str) -> str:
    for pattern, template in DETAILS:
        match = pattern.match(detail)
        if match:
            return _(template).format(value=match.groupdict().get("value") or "")
    return " ".join(printable(detail).split())


class ContractsScreen(PupeScreen):
    TITLE_ID = N_("Annual-contract customers")
    CSS_PATH = CSS
    AUTO_FOCUS = "#contracts-start"
    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="back"),
        Binding("f5", "preview", N_("Preview"), id="contracts_preview"),
        Binding("ctrl+s", "run", N_("Run"), id="contracts_run"),
    ]

    def __init__(self, folder: Path | None = None) -> None:
        super().__init__()
        self.folder = folder or export_target.default_folder()
        self.prepared: contracts_mail.Prepared | None = None
        self.running = False
        self.stop = threading.Event()  # set when the user stops a running report
        self.initial: dict[str, str] = {}

    # -- layout ----------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        period = contracts.last_twelve_months()
        yield Header()
        with Vertical(id="contracts-form"):
            yield FormField(_("Period from"), Input(format_date(period.start), id="contracts-start", compact=True))
            yield FormField(_("Period to"), Input(format_date(period.end), id="contracts-end", compact=True))
            default = format_decimal(contracts.DEFAULT_THRESHOLD, 0).replace("\u00a0", " ")
            yield FormField(_("Sales over"), Input(default, placeholder=_("empty = {sum}").format(sum=default),
                                                   id="contracts-threshold", compact=True))
            yield FormField(_("Customer number"), Input("", placeholder=_("empty = every customer"),
                                                        id="contracts-customer", compact=True))
            yield FormField(_("File type"), Select([("PDF", "pdf"), ("Excel", "xlsx")], value="pdf",
                                                   allow_blank=False, id="contracts-format", compact=True))
            yield FormField(_("Send to"), Select([(_(label), value) for label, value in RECIPIENT_CHOICES],
                                                 value=SAVE_ONLY, allow_blank=False, id="contracts-recipient",
                                                 compact=True))
            if export_target.served():  # the files go to the user's own folder and the browser
                yield FormField(_("Folder"), Input(browser_note(), id="contracts-folder", compact=True, disabled=True))
            else:
                yield FormField(_("Folder"), Input(str(self.folder), id="contracts-folder", compact=True))
        yield Static(literal(_("F5 shows the customers, ctrl+s makes the report.")), id="contracts-state")
        yield ProgressBar(id="contracts-progress", show_eta=False)
        table: DataTable = DataTable(id="contracts-table", cursor_type="row", zebra_stripes=False)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#contracts-progress", ProgressBar).display = False
        self.initial = self.values()
        self.show_columns("preview")

    def values(self) -> dict[str, str]:
        out = {name: self.query_one(f"#{wid}", Input).value for name, wid in FIELDS.items()}
        for name in ("format", "recipient"):
            value = self.query_one(f"#contracts-{name}", Select).value
            out[name] = "" if value in (Select.NULL, None) else str(value)
        return out

    def field(self, name: str) -> FormField:
        return self.query_one(f"#{FIELDS[name]}").parent.parent  # Input -> row -> FormField

    def state(self, text: str, *, error: bool = False) -> None:
        widget = self.query_one("#contracts-state", Static)
        widget.update(literal(text))
        widget.set_class(error, "-error")

    # (title, width, share of the room a wider terminal gives beyond the widths)
    TABLE_COLUMNS = {
        "preview": ((N_("Number"), 9, 0), (N_("Customer"), 28, 2), (N_("Sales"), 13, 0), (N_("Email"), 22, 1)),
        "results": ((N_("Recipient"), 24, 1), (N_("Address"), 26, 1), (N_("Result"), 22, 1)),
    }

    def show_columns(self, kind: str) -> None:
        table = self.query_one("#contracts-table", DataTable)
        table.clear(columns=True)
        self._columns_kind = kind
        for title, width in self.column_widths(kind, table.scrollable_content_region.width):
            table.add_column(title, width=width)

    def column_widths(self, kind: str, room: int) -> list[tuple[str, int]]:
        """The columns of `kind`, widened to fill `room` cells (a larger terminal)."""
        columns = self.TABLE_COLUMNS[kind]
        used = sum(width + 2 for _t, width, _g in columns)  # DataTable pads each cell by one a side
        extra = max(0, room - used)
        shares = sum(grow for _t, _w, grow in columns)
        return [(_(title), width + extra * grow // shares) for title, width, grow in columns]

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit_columns)  # once the table has its new size

    def fit_columns(self) -> None:
        table = self.query_one("#contracts-table", DataTable)
        widths = self.column_widths(getattr(self, "_columns_kind", "preview"), table.scrollable_content_region.width)
        for column, (_title, width) in zip(table.columns.values(), widths):
            column.width = width
        table._require_update_dimensions = True  # Textual re-measures the columns on the next refresh
        table.refresh(layout=True)

    # -- the form ----------------------------------------------------------------------------------------
    def request(self) -> contracts.ReportRequest | None:
        """The form as a request, or None with the errors shown under the fields."""
        for name in FIELDS:
            self.field(name).show_error("")
        v = self.values()
        recipient = v["recipient"] if v["recipient"] != SAVE_ONLY else "runner"
        try:
            if not v["folder"].strip():
                raise ValidationError("folder: give a folder", "folder")
            return contracts.make_request(v["start"], v["end"], v["threshold"], v["customer"], v["format"] or "pdf",
                                          recipient, current_language())
        except ValidationError as exc:
            self.refuse(exc)
            return None

    def refuse(self, exc: ValidationError) -> None:
        text = translate_refusal(exc, REFUSALS + ((re.compile(r"^folder: "), N_("Give a folder for the files.")),),
                                 failed=N_("The report failed: {error}"))
        if exc.field in FIELDS:
            self.field(exc.field).show_error(text)
            self.query_one(f"#{FIELDS[exc.field]}", Input).focus()
        self.state(text, error=True)

    @property
    def sending(self) -> bool:
        return self.values()["recipient"] != SAVE_ONLY

    # -- preview -------------------------------------------------------------------------------------------
    def action_preview(self) -> None:
        self.look(then_confirm=False)

    def action_run(self) -> None:
        self.look(then_confirm=True)

    def look(self, *, then_confirm: bool) -> None:
        """Find the customers (and who would get mail); on ctrl+s then ask to go on."""
        request = None if self.running else self.request()
        if request is not None:
            self.state(_("Looking for the customers…"))
            self._prepare(request, then_confirm)

    @work(thread=True, exclusive=True, group="contracts-prepare", exit_on_error=False)
    def _prepare(self, request: contracts.ReportRequest, then_confirm: bool) -> None:
        try:
            prepared = contracts_mail.prepare(request)
        except ValidationError as exc:
            self.app.call_from_thread(self.refuse, exc)
            return
        except Exception as exc:  # noqa: BLE001 - told on screen; the form stays as it was
            self.app.call_from_thread(self.state, _("The report failed: {error}").format(error=failures.sentence(exc)),
                                      error=True)
            return
        self.app.call_from_thread(self.show_preview, prepared, then_confirm)

    def show_preview(self, prepared: contracts_mail.Prepared, then_confirm: bool) -> None:
        self.prepared = prepared
        self.show_columns("preview")
        table = self.query_one("#contracts-table", DataTable)
        unreachable = {u.customer.id: u for u in prepared.plan.unreachable}
        total = sum((c.invoiced for c in prepared.customers), contracts.ZERO)
        for c in prepared.customers:
            note = _(WHY[unreachable[c.id].why]) if c.id in unreachable and self.sending else c.email
            table.add_row(literal_line(c.customer_no), literal_line(c.name),
                          Text(format_decimal(c.invoiced, 2), justify="right"),
                          literal_line(note))
        summary = _("{count} customers, sales {total} in all").format(
            count=len(prepared.customers), total=format_decimal(total, 2))
        if self.sending:
            summary += " · " + _("{mails} emails, {missing} without email").format(
                mails=len(prepared.plan.to_send), missing=len(prepared.plan.unreachable))
        self.state(summary)
        if then_confirm:
            self.confirm(prepared)

    # -- the run -------------------------------------------------------------------------------------------
    def confirm(self, prepared: contracts_mail.Prepared) -> None:
        unknown = prepared.plan.unknown
        if prepared.customers and self.sending and unknown:
            names = [f"  {m.label} <{', '.join(m.to)}>" for m in unknown[:6]]
            if len(unknown) > len(names):
                names.append(_("  … and {count} more").format(count=len(unknown) - len(names)))
            question = "\n".join(printable(line) for line in [
                _("{count} emails of an earlier run of this report may or may not have arrived "
                  "(the connection broke while they were being sent):").format(count=len(unknown)),
                *names, _("Send them again too?")])

            def again(yes: bool | None) -> None:
                prepared.plan.resend_unknown = bool(yes)
                self.confirm_run(prepared)

            self.app.push_screen(ConfirmScreen(question, title=_("Annual-contract customers"), multiline=True,
                                               yes=_("Send again"), no=_("Leave them")), again)
            return
        self.confirm_run(prepared)

    def confirm_run(self, prepared: contracts_mail.Prepared) -> None:
        if not prepared.customers:
            self.state(_("No customer's sales exceed the threshold in the period: nothing to do."), error=True)
            return
        folder = self.values()["folder"].strip()
        kind = "PDF" if prepared.request.fmt == "pdf" else "Excel"
        if not self.sending:
            question = _("Write {count} {kind} files to {folder}?").format(
                count=len(prepared.customers), kind=kind, folder=folder)
        else:
            config = SmtpConfig.from_settings(self.app.settings.smtp)
            if not config.configured:
                self.state(_("Email is not configured: set [smtp] host in the configuration."), error=True)
                return
            plan = prepared.plan
            lines = [_("{mails} emails would go out ({kind} files, also kept in {folder}).").format(
                mails=len(plan.to_send), kind=kind, folder=folder)]
            if plan.already_sent:
                lines.append(_("{count} were sent in an earlier run of this same report: not again.").format(
                    count=len(plan.already_sent)))
            if plan.unknown and plan.resend_unknown:
                lines.append(_("{count} of an earlier run may or may not have arrived: sent again, counted "
                               "above.").format(count=len(plan.unknown)))
            elif plan.unknown:
                lines.append(_("{count} of an earlier run may or may not have arrived: not sent again.").format(
                    count=len(plan.unknown)))
            if plan.unreachable:
                lines.append(_("No email for {count} customers:").format(count=len(plan.unreachable)))
                shown = plan.unreachable[:8]
                lines += [f"  {u.customer.customer_no} {u.customer.name}: {_(WHY[u.why])}" for u in shown]
                if len(plan.unreachable) > len(shown):
                    lines.append(_("  … and {count} more").format(count=len(plan.unreachable) - len(shown)))
            if not plan.to_send:
                self.state(" ".join(lines[1:]) or _("Nothing to send."), error=True)
                return
            lines.append(_("Send them?"))
            question = "\n".join(printable(line) for line in lines)

        def answered(yes: bool | None) -> None:
            if yes:
                self.start(prepared, Path(folder).expanduser())

        self.app.push_screen(ConfirmScreen(question, title=_("Annual-contract customers"), multiline=True), answered)

    def start(self, prepared: contracts_mail.Prepared, folder: Path) -> None:
        self.running = True
        self.stop = threading.Event()
        bar = self.query_one("#contracts-progress", ProgressBar)
        bar.display = True
        bar.update(total=max(1, len(prepared.customers)), progress=0)
        self.state(_("Writing the files…"))
        self._run(prepared, folder, self.sending)

    def progress(self, done: int, total: int, text: str) -> None:
        bar = self.query_one("#contracts-progress", ProgressBar)
        bar.update(total=max(1, total), progress=done)
        if text:
            self.state(text)

    @work(thread=True, exclusive=True, group="contracts-run", exit_on_error=False)
    def _run(self, prepared: contracts_mail.Prepared, folder: Path, sending: bool) -> None:
        call = self.app.call_from_thread

        def files(done, total, name):
            call(self.progress, done, total, _("Writing the files: {done}/{total}").format(done=done, total=total))

        def mails(done, total, label):
            call(self.progress, done, total,
                 _("Sending {done}/{total}: {name}").format(done=min(done + 1, total), total=total, name=label)
                 if label else "")

        try:
            if sending:
                config = SmtpConfig.from_settings(self.app.settings.smtp)
                documents, results = contracts_mail.execute(prepared, folder, config, progress=mails,
                                                            files_progress=files, stop=self.stop,
                                                            resend_unknown=prepared.plan.resend_unknown)
            else:
                try:
                    documents = contracts_mail.write_files(prepared, folder, progress=files, stop=self.stop)
                except contracts_mail.Stopped as stopped:
                    documents = stopped.documents
                results = []
            delivered = self.bundle(prepared, folder, documents)
        except Exception as exc:  # noqa: BLE001 - told on screen; what was sent is in the journal
            call(self.finished_badly, failures.sentence(exc))
            return
        call(self.finished, documents, results, delivered)

    def bundle(self, prepared, folder: Path, documents) -> Path | None:
        """The file handed to the user: the only file, or a zip of them all."""
        paths = [d.path for d in documents.values()]
        if len(paths) <= 1:
            return paths[0] if paths else None
        from pupetui.services.contracts_documents import write_zip

        period = prepared.request.period
        prefix = _("purchases")
        return write_zip(folder / f"{prefix}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.zip", paths)

    def finished(self, documents, results, delivered: Path | None) -> None:
        self.running = False
        stopped = self.stop.is_set()
        self.initial = self.values()  # the form has done its work: leaving loses nothing
        self.query_one("#contracts-progress", ProgressBar).display = False
        if delivered is not None:
            self.app.deliver_export(delivered)
        if results:
            self.show_columns("results")
            table = self.query_one("#contracts-table", DataTable)
            for r in results:
                table.add_row(literal_line(r.mail.label), literal_line(", ".join(r.mail.to)),
                              literal(_(STATUS[r.status]) + (f": {detail_text(r.detail)}" if r.detail and (r.status in (
                                  contracts_mail.FAILED, contracts_mail.NOT_SENT) or r.refused) else "")))
            sent = sum(1 for r in results if r.status == contracts_mail.SENT)
            bad = sum(1 for r in results if r.status in (contracts_mail.FAILED, contracts_mail.UNKNOWN,
                                                         contracts_mail.NOT_SENT))
            text = _("{sent} sent, {bad} not sent or unknown; {files} files in {folder}.").format(
                sent=sent, bad=bad, files=len(documents), folder=self.values()["folder"])
            if stopped:
                text = _("Stopped.") + " " + text
            if bad:
                text += " " + _("Run it again to send the rest: nobody gets it twice.")
            self.state(text, error=bool(bad) or any(r.refused for r in results))
        elif stopped:
            self.state(_("Stopped: {files} of {total} files written in {folder}.").format(
                files=len(documents), total=len(self.prepared.customers) if self.prepared else len(documents),
                folder=self.values()["folder"]), error=True)
        else:
            self.state(_("{files} files written: {path}").format(files=len(documents), path=shown(delivered) if delivered else ""))

    def finished_badly(self, text: str) -> None:
        self.running = False
        self.query_one("#contracts-progress", ProgressBar).display = False
        self.state(_("The report failed: {error}").format(error=text), error=True)

    # -- leaving -------------------------------------------------------------------------------------------
    def action_back(self) -> None:
        if self.running:
            if self.stop.is_set():
                self.notify(_("Stopping after the current file or email…"), severity="warning", markup=False)
                return

            def stop(yes: bool | None) -> None:
                if yes and self.running:
                    self.stop.set()
                    self.state(_("Stopping after the current file or email…"))

            self.app.push_screen(ConfirmScreen(
                _("Stop the report? The file or email in progress is finished; emails already sent stay sent, "
                  "and running the report again sends the rest, nobody twice."), title=_("Stop the report?"),
                yes=_("Stop"), no=_("Go on")), stop)
            return
        if self.values() == self.initial:
            self.dismiss()
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss()

        self.app.push_screen(ConfirmScreen(_("The form has changes. Discard them?"), title=_("Discard changes?")),
                             answered)
