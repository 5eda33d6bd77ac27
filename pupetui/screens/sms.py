"""The SMS program (Pupesoft's crm/tekstiviestit.php): one message to typed numbers, to customers
or to their contacts, sent as a batch that can be resumed.

`SmsScreen`, top to bottom: which recipients (F3 typed numbers, F4 customers, F5 the customers'
contacts; F6 goes to the message), then the typed numbers (one a line, with the invalid ones listed as you type) or the
customer selection (`widgets.customer_selection`: filters with `f`, ticks with Space, `+`, `-`),
then the message with a live count of characters and SMS parts (GSM-7 or UCS-2), which turns red
over the configured limit. Ctrl+S checks everything in a worker (numbers normalised, invalid
ones and duplicates listed) and asks for a confirmation that says how many messages will go out;
then `SmsSendScreen` sends them.

`SmsSendScreen` shows every recipient with its state (waiting, sending, sent, refused with the
service's answer, failed, unknown) as it changes, a progress bar and the counts. `s` stops after
the current message; when a batch has unsent messages `r` sends them; `u` sends again (after a
question) the ones whose fate is unknown; `c` closes the batch (nothing more is sent). Opening
the program with an unfinished batch offers it first.

Every service call runs in a thread worker; the texts from the database or the user are shown
literally.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import ContentSwitcher, DataTable, Footer, Header, ProgressBar, Static, TextArea

from pupetui.i18n import N_, _, format_datetime
from pupetui.screens.base import PupeScreen
from pupetui.services import selection, sms, sms_batch
from pupetui.services.sms_batch import Batch, JournalRow, Plan, Skipped
from pupetui.widgets.confirm import ConfirmScreen
from pupetui.widgets.customer_selection import CustomerSelection
from pupetui.widgets.literal import literal, literal_title, printable
from pupetui.widgets.stored_note import StoredTextNotes
from pupetui.services import failures

CSS = Path(__file__).with_name("sms.tcss")
TYPED, CUSTOMERS, CONTACTS = "typed", "customers", "contacts"
MODE_TITLES = {TYPED: N_("Typed numbers"), CUSTOMERS: N_("Customers"), CONTACTS: N_("Their contacts")}
MODE_KEYS = {TYPED: "F3", CUSTOMERS: "F4", CONTACTS: "F5"}
STATE_TITLES = {
    sms_batch.PENDING: N_("waiting"), sms_batch.SENDING: N_("sending"), sms.SENT: N_("sent"),
    sms.REFUSED: N_("refused"), sms.FAILED: N_("failed"), sms.UNKNOWN: N_("unknown"), "skipped": N_("skipped"),
}
STATE_STYLES = {sms.SENT: "green", sms.REFUSED: "red", sms.FAILED: "red", sms.UNKNOWN: "bold yellow",
                sms_batch.SENDING: "bold", "skipped": "dim"}
SHOWN_SKIPPED = 5


def sms_config(app) -> sms.SmsConfig:
    return sms.SmsConfig.from_settings(getattr(getattr(app, "settings", None), "sms", None) or {})


def count_text(text: str, limit: int) -> tuple[str, bool]:
    """The live count under the message, and whether the message cannot be sent as it is."""
    enc = sms.encoding(text)
    line = _("{count}/{limit} characters · {encoding} · {parts} SMS").format(
        count=len(text), limit=limit, encoding=enc.name, parts=enc.parts)
    if len(text) > limit:
        return line + " · " + _("too long: at most {limit} characters").format(limit=limit), True
    wide = next((c for c in text if ord(c) > 0xFFFF), None)
    if wide is not None:
        return line + " · " + _("a character that cannot be stored: {char}").format(char=wide), True
    return line, False


def skipped_name(name: str) -> str:
    """A skipped recipient's name, with the service's "(no contacts)" in the user's language."""
    if name.endswith(sms_batch.NO_CONTACTS):
        return name[: -len(sms_batch.NO_CONTACTS)] + " (" + _("no contacts") + ")"
    return name


def skipped_lines(skipped: list[Skipped], limit: int = SHOWN_SKIPPED) -> list[str]:
    lines = [f"{s.number or '-'} {skipped_name(s.name)}".strip() + f": {_(skip_reason(s.reason))}" for s in skipped[:limit]]
    if len(skipped) > limit:
        lines.append(_("…and {count} more").format(count=len(skipped) - limit))
    return lines


def skip_reason(reason: str) -> str:
    """The service's reason in the user's language where it is one of the known ones."""
    if reason == "no mobile number":
        return _("no mobile number")
    if reason.endswith("is not a mobile number"):
        return _("not a mobile number")
    if reason.endswith("is not a valid phone number") or reason.endswith("is not a phone number"):
        return _("not a valid phone number")
    if reason.endswith("is already among the recipients"):
        return _("the same number is already among the recipients")
    return reason


# The client's own words for a failed or unknown message (services/sms.py, sms_batch.py), in the
# user's language; the service's answers (a refusal) are shown as they came.
ANSWERS = (
    (re.compile(r"the SMS service did not answer in (?P<value>[\d.]+) s"),
     N_("The SMS service did not answer in {value} s: it is not known whether the message went out.")),
    (re.compile(r"the SMS service closed the connection without an answer"),
     N_("The SMS service closed the connection without an answer: it is not known whether the message went out.")),
    (re.compile(r"the SMS service cannot be reached"), N_("The SMS service cannot be reached: nothing was sent.")),
    (re.compile(r"the program stopped while this message was being sent"),
     N_("The program stopped while this message was being sent: it is not known whether it went out.")),
    (re.compile(r"HTTP (?P<value>50[24]) from the way to the SMS service"),
     N_("HTTP {value} from the way to the SMS service: it is not known whether the message went out.")),
)


def answer_text(row: JournalRow) -> str:
    if row.state in (sms.SENT, sms_batch.PENDING):
        return ""
    if row.state in (sms.FAILED, sms.UNKNOWN):
        for pattern, template in ANSWERS:
            match = pattern.match(row.answer)
            if match:
                return _(template).format(value=match.groupdict().get("value") or "")
    return " ".join(printable(row.answer).split())


class SmsScreen(StoredTextNotes, PupeScreen):
    TITLE_ID = N_("SMS")
    CSS_PATH = CSS
    BINDINGS = [
        Binding("escape", "back", N_("Back"), show=False, id="back"),
        # F3-F5: on the recipients' line, not in the footer (which has no room for them beside the
        # customer selection's keys and Send at 80 columns)
        Binding("f3", "mode('typed')", N_("Numbers"), show=False, id="sms_typed"),
        Binding("f4", "mode('customers')", N_("Customers"), show=False, id="sms_customers"),
        Binding("f5", "mode('contacts')", N_("Contacts"), show=False, id="sms_contacts"),
        Binding("f6", "focus_message", N_("Message"), priority=True, id="sms_focus_message"),
        Binding("ctrl+s", "send", N_("Send"), priority=True, id="sms_send"),
    ]

    class Planned(Message):
        def __init__(self, plan: Plan | None, error: str = "") -> None:
            super().__init__()
            self.plan = plan
            self.error = error

    class Started(Message):
        def __init__(self, batch_id: str, skipped: list[Skipped], error: str = "") -> None:
            super().__init__()
            self.batch_id = batch_id
            self.skipped = skipped
            self.error = error

    class NumbersChecked(Message):
        def __init__(self, text: str, typed: sms.TypedNumbers) -> None:
            super().__init__()
            self.text = text  # what was checked: a slower, older check must not overwrite a newer one
            self.typed = typed

    class UnfinishedFound(Message):
        def __init__(self, batches: list[Batch]) -> None:
            super().__init__()
            self.batches = batches

    def __init__(self) -> None:
        super().__init__()
        self.mode = TYPED
        self.limit = 160
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="sms-mode")
        with ContentSwitcher(initial="sms-typed", id="sms-recipients"):
            with Vertical(id="sms-typed"):
                numbers = TextArea("", id="sms-numbers", soft_wrap=True, tab_behavior="focus", compact=True)
                numbers.border_title = literal_title(_("Numbers, one a line"))
                yield numbers
                yield Static("", id="sms-numbers-state")
            yield CustomerSelection(id="sms-selection")
        message = TextArea("", id="sms-text", soft_wrap=True, tab_behavior="focus", compact=True)
        message.border_title = literal_title(_("Message"))
        yield message
        yield Static("", id="sms-count")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.note_stored_text("#sms-text")  # what Pupesoft stores in the memos
        config = sms_config(self.app)
        self.limit = config.max_length
        if not config.configured:
            self.notify(_("SMS is not configured: set [sms] url, user and password."), severity="warning",
                        markup=False, timeout=8)
        self.show_mode()
        self.show_count()
        self.show_numbers()
        self.query_one("#sms-numbers", TextArea).focus()
        self._find_unfinished()

    # -- recipients ---------------------------------------------------------------------------
    def show_mode(self) -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append_text(literal(_("Recipients:") + " "))
        for mode in (TYPED, CUSTOMERS, CONTACTS):
            label = f"{MODE_KEYS[mode]} {_(MODE_TITLES[mode])}"
            line.append_text(literal(f"[{label}]" if mode == self.mode else f" {label} ", "bold reverse" if mode == self.mode else ""))
            line.append(" ")
        self.query_one("#sms-mode", Static).update(line)

    def action_mode(self, mode: str) -> None:
        self.mode = mode
        switcher = self.query_one("#sms-recipients", ContentSwitcher)
        switcher.current = "sms-typed" if mode == TYPED else "sms-selection"
        self.show_mode()
        if mode == TYPED:
            self.query_one("#sms-numbers", TextArea).focus()
        else:
            self.query_one("#sms-selection", CustomerSelection).focus()

    def action_focus_message(self) -> None:
        self.query_one("#sms-text", TextArea).focus()

    def show_numbers(self) -> None:
        self._check_numbers(self.query_one("#sms-numbers", TextArea).text)

    @work(thread=True, exclusive=True, group="sms-numbers", exit_on_error=False)
    def _check_numbers(self, text: str) -> None:
        """Numbers parsed off the UI thread (a pasted list of thousands takes a moment once)."""
        self.post_message(self.NumbersChecked(text, sms.typed_numbers(text)))

    def on_sms_screen_numbers_checked(self, message: NumbersChecked) -> None:
        if message.text != self.query_one("#sms-numbers", TextArea).text:
            return  # the numbers changed meanwhile: their own check is on its way
        typed = message.typed
        state = self.query_one("#sms-numbers-state", Static)
        text = _("{count} number(s)").format(count=len(typed.numbers))
        if typed.duplicates:
            text += " · " + _("{count} typed twice (sent once)").format(count=len(typed.duplicates))
        if typed.invalid:
            text += " · " + _("invalid, skipped: {numbers}").format(numbers=", ".join(raw for raw, _w in typed.invalid))
        state.update(literal(text))
        state.set_class(bool(typed.invalid), "-warning")

    @on(TextArea.Changed, "#sms-numbers")
    def numbers_changed(self) -> None:
        self.show_numbers()

    # -- the message --------------------------------------------------------------------------
    @on(TextArea.Changed, "#sms-text")
    def show_count(self) -> None:
        line, bad = count_text(self.query_one("#sms-text", TextArea).text, self.limit)
        count = self.query_one("#sms-count", Static)
        count.update(literal(line))
        count.set_class(bad, "-error")

    # -- sending ------------------------------------------------------------------------------
    def action_send(self) -> None:
        if self.busy:
            return
        text = self.query_one("#sms-text", TextArea).text
        if not text.strip():
            self.notify(_("Write the message first."), severity="warning", markup=False)
            self.action_focus_message()
            return
        if self.mode == TYPED:
            source = self.query_one("#sms-numbers", TextArea).text
            if not sms.split_numbers(source):
                self.notify(_("Type at least one number."), severity="warning", markup=False)
                return
            self.busy = True
            self._plan(TYPED, source, None, None, text)
        else:
            widget = self.query_one("#sms-selection", CustomerSelection)
            if widget.ticked_count == 0:
                self.notify(_("No customers are ticked."), severity="warning", markup=False)
                return
            self.busy = True
            self._plan(self.mode, "", widget.selection_query, widget.ticks.copy(), text)  # a snapshot

    @work(thread=True, exclusive=True, group="sms-plan", exit_on_error=False)
    def _plan(self, mode: str, typed: str, query, ticks, text: str) -> None:
        try:
            if mode == TYPED:
                recipients = sms_batch.typed_recipients(typed)
            else:
                rows = selection.ticked_rows(query, ticks)
                recipients = sms_batch.customer_recipients(rows, to_contacts=mode == CONTACTS)
            plan = sms_batch.plan(recipients, text, max_length=self.limit)
        except sms.SmsError as exc:
            self.post_message(self.Planned(None, message_refusal(str(exc))))
        except Exception as exc:  # noqa: BLE001 - told to the user; nothing was sent
            self.post_message(self.Planned(None, _("The recipients could not be read: {error}").format(error=failures.sentence(exc))))
        else:
            self.post_message(self.Planned(plan))

    def on_sms_screen_planned(self, message: Planned) -> None:
        self.busy = False
        if message.plan is None:
            self.notify(message.error, severity="error", markup=False)
            return
        plan = message.plan
        skipped = list(plan.invalid) + list(plan.duplicates)
        if not plan.targets:
            text = _("No recipient has a valid mobile number: nothing to send.") + " " + "; ".join(skipped_lines(skipped))
            self.notify(text, severity="error", markup=False, timeout=10)
            return
        if not sms_config(self.app).configured:
            self.notify(_("SMS is not configured: set [sms] url, user and password."), severity="error", markup=False)
            return
        question = _("Send the message to {count} recipient(s)? That is {parts} SMS ({each} each, {encoding}).").format(
            count=plan.messages, parts=plan.parts, each=plan.encoding.parts, encoding=plan.encoding.name)
        if skipped:
            question += " " + _("{count} skipped:").format(count=len(skipped)) + " " + "; ".join(skipped_lines(skipped))

        def answer(yes: bool | None) -> None:
            if yes:
                self.busy = True
                self._start(plan, skipped)

        self.app.push_screen(ConfirmScreen(question, title=_("Send SMS"), yes=_("Send"), no=_("Cancel")), answer)

    @work(thread=True, exclusive=True, group="sms-start", exit_on_error=False)
    def _start(self, plan: Plan, skipped: list[Skipped]) -> None:
        try:
            batch = sms_batch.start(plan)
        except Exception as exc:  # noqa: BLE001 - nothing was sent
            self.post_message(self.Started("", skipped, _("The batch could not be saved: {error}").format(error=failures.sentence(exc))))
        else:
            self.post_message(self.Started(batch.id, skipped))

    def on_sms_screen_started(self, message: Started) -> None:
        self.busy = False
        if message.error:
            self.notify(message.error, severity="error", markup=False)
            return
        self.app.push_screen(SmsSendScreen(message.batch_id, skipped=message.skipped, send_now=True))

    # -- an unfinished batch ------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="sms-unfinished", exit_on_error=False)
    def _find_unfinished(self) -> None:
        try:
            batches = sms_batch.unfinished()
        except Exception:  # noqa: BLE001 - nothing to offer then; sending still works
            return
        if batches:
            self.post_message(self.UnfinishedFound(batches))

    def on_sms_screen_unfinished_found(self, message: UnfinishedFound) -> None:
        batch = message.batches[0]
        question = _("An SMS batch of {when} is unfinished: {left} not sent, {unknown} unknown. Open it?").format(
            when=format_datetime(batch.created_at), left=batch.to_send, unknown=len(batch.unknown))
        question += " " + _("Message: {text}").format(text=batch.text)

        def answer(yes: bool | None) -> None:
            if yes:
                self.app.push_screen(SmsSendScreen(batch.id))

        self.app.push_screen(ConfirmScreen(question, title=_("Unfinished SMS batch"), default=True), answer)

    # -- leaving ------------------------------------------------------------------------------
    def action_back(self) -> None:
        typed = [self.query_one(f"#{name}", TextArea).text.strip() for name in ("sms-text", "sms-numbers")]
        if not any(typed):
            self.dismiss_screen()
            return
        self.app.push_screen(ConfirmScreen(_("Discard the message?")),
                             lambda yes: self.dismiss_screen() if yes else None)

    def dismiss_screen(self) -> None:
        self.app.pop_screen()


def message_refusal(text: str) -> str:
    match = re.match(r"the message is (\d+) characters, at most (\d+)", text)
    if match:
        return _("The message is {count} characters, at most {limit}.").format(count=match[1], limit=match[2])
    if text == "the message is empty":
        return _("Write the message first.")
    if "cannot be stored" in text:
        return _("The message has a character that cannot be stored (such as an emoji): remove it.")
    return printable(text)


class SmsSendScreen(PupeScreen):
    """One batch: its recipients and their states, sending with progress, and what is left."""

    TITLE_ID = N_("SMS")
    CSS_PATH = CSS
    AUTO_FOCUS = "#sms-table"
    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="back"),
        Binding("s", "stop", N_("Stop"), id="sms_stop"),
        Binding("r", "resume", N_("Send the rest"), id="sms_resume"),
        Binding("u", "resend_unknown", N_("Resend unknown"), id="sms_resend_unknown"),
        Binding("c", "close_batch", N_("Close batch"), id="sms_close"),
    ]

    class Loaded(Message):
        def __init__(self, batch: Batch | None, error: str = "") -> None:
            super().__init__()
            self.batch = batch
            self.error = error

    class Progress(Message):
        def __init__(self, row: JournalRow) -> None:
            super().__init__()
            self.row = row

    class Finished(Message):
        def __init__(self, batch: Batch | None, error: str = "") -> None:
            super().__init__()
            self.batch = batch
            self.error = error

    def __init__(self, batch_id: str, *, skipped: list[Skipped] | None = None, send_now: bool = False) -> None:
        super().__init__()
        self.batch_id = batch_id
        self.skipped = list(skipped or [])
        self.send_now = send_now
        self.batch: Batch | None = None
        self.rows: dict[int, JournalRow] = {}
        self.running = False
        self.stop_event = threading.Event()
        self.error = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(literal(_("Loading…")), id="sms-summary")
        yield ProgressBar(total=None, show_eta=False, id="sms-progress")
        table: DataTable = DataTable(id="sms-table", cursor_type="row", zebra_stripes=False)
        table.add_column(_("State"), width=11, key="state")
        table.add_column(_("Number"), width=14, key="number")
        table.add_column(_("Recipient"), width=28, key="name")
        table.add_column(_("Answer"), width=40, key="answer")
        yield table
        yield Static("", id="sms-row")
        yield Static("", id="sms-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._load()

    def on_unmount(self) -> None:
        self.stop_event.set()  # leaving (or quitting) ends a run after the current message

    @on(DataTable.RowHighlighted, "#sms-table")
    def show_row(self, event: DataTable.RowHighlighted | None = None) -> None:
        """The highlighted row in full (the answer may be longer than its column)."""
        table = self.query_one("#sms-table", DataTable)
        text = ""
        if table.row_count and table.cursor_row is not None:
            try:
                cells = table.get_row_at(table.cursor_row)
            except Exception:  # noqa: BLE001 - no row there (the table is being filled)
                cells = []
            text = "  ".join(c.plain for c in cells if getattr(c, "plain", "").strip())
        self.query_one("#sms-row", Static).update(literal(text))

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Only the keys that do something now are in the footer (dimmed ones pushed Close batch
        off an 80-column footer in Finnish, and dimming does not show without colour)."""
        open_batch = self.batch is not None and not self.batch.closed and not self.running
        if action == "stop":
            return self.running
        if action == "resume":
            return open_batch and any(r.state in sms_batch.TO_SEND for r in self.rows.values())
        if action == "resend_unknown":
            return open_batch and any(r.state in (sms.UNKNOWN, sms_batch.SENDING) for r in self.rows.values())
        if action == "close_batch":
            return open_batch
        return True

    @work(thread=True, exclusive=True, group="sms-load", exit_on_error=False)
    def _load(self) -> None:
        try:
            self.post_message(self.Loaded(sms_batch.load(self.batch_id)))
        except Exception as exc:  # noqa: BLE001
            self.post_message(self.Loaded(None, failures.sentence(exc)))

    def on_sms_send_screen_loaded(self, message: Loaded) -> None:
        if message.batch is None:
            self.error = _("The batch could not be read: {error}").format(error=message.error)
            self.show_summary()
            return
        self.batch = message.batch
        table = self.query_one("#sms-table", DataTable)
        table.clear()
        for row in message.batch.rows:
            self.rows[row.index] = row
            table.add_row(*self.cells(row), key=str(row.index))
        for i, s in enumerate(self.skipped):
            table.add_row(literal(_(STATE_TITLES["skipped"]), STATE_STYLES["skipped"]), literal(s.number or "-"),
                          literal(skipped_name(s.name)), literal(_(skip_reason(s.reason))), key=f"skipped-{i}")
        self.show_summary()
        if self.send_now and not message.batch.closed:
            self.send_now = False
            self.start_run(resend_unknown=False)

    def cells(self, row: JournalRow) -> tuple:
        style = STATE_STYLES.get(row.state, "")
        return (literal(_(STATE_TITLES.get(row.state, row.state)), style), literal(row.number),
                literal(row.name or "-"), literal(answer_text(row)))

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for row in self.rows.values():
            out[row.state] = out.get(row.state, 0) + 1
        return out

    def show_summary(self) -> None:
        summary = self.query_one("#sms-summary", Static)
        detail = self.query_one("#sms-detail", Static)
        if self.error:
            summary.update(literal(self.error))
            summary.add_class("-error")
        else:
            summary.remove_class("-error")
            counts = self.counts()
            parts = [f"{counts[s]} {_(STATE_TITLES[s])}" for s in STATE_TITLES if counts.get(s)]
            if self.skipped:
                parts.append(f"{len(self.skipped)} {_(STATE_TITLES['skipped'])}")
            head = _("Sending…") if self.running else (_("Closed") if self.batch and self.batch.closed else _("Batch"))
            summary.update(literal(f"{head} {' · '.join(parts)}"))
        total = len(self.rows)
        done = sum(1 for r in self.rows.values() if r.state not in (sms_batch.PENDING, sms_batch.SENDING))
        self.refresh_bindings()
        self.show_row()
        bar = self.query_one("#sms-progress", ProgressBar)
        bar.update(total=max(total, 1), progress=done)
        hint = ""
        if self.batch is not None and not self.running:
            counts = self.counts()
            left = counts.get(sms_batch.PENDING, 0) + counts.get(sms.FAILED, 0)
            unknown = counts.get(sms.UNKNOWN, 0) + counts.get(sms_batch.SENDING, 0)
            if self.batch.closed:
                hint = _("The batch is done.")
            else:
                hints = []
                if left:
                    hints.append(_("{count} not sent: r sends them.").format(count=left))
                if unknown:
                    hints.append(_("{count} unknown: u resends, c leaves them.").format(count=unknown))
                hint = " ".join(hints)
        elif self.running:
            hint = _("s stops after the current message.")
        detail.update(literal(hint))

    # -- running ------------------------------------------------------------------------------
    def start_run(self, *, resend_unknown: bool) -> None:
        config = sms_config(self.app)
        if not config.configured:
            self.notify(_("SMS is not configured: set [sms] url, user and password."), severity="error", markup=False)
            return
        self.running = True
        self.stop_event.clear()
        self.show_summary()
        self._run(config, resend_unknown)

    @work(thread=True, exclusive=True, group="sms-run", exit_on_error=False)
    def _run(self, config: sms.SmsConfig, resend_unknown: bool) -> None:
        try:
            batch = sms_batch.run(self.batch_id, config, progress=lambda row: self.post_message(self.Progress(row)),
                                  stop=self.stop_event, resend_unknown=resend_unknown)
        except Exception as exc:  # noqa: BLE001 - the rows keep their states; shown plainly
            self.post_message(self.Finished(None, failures.sentence(exc)))
        else:
            self.post_message(self.Finished(batch))

    def on_sms_send_screen_progress(self, message: Progress) -> None:
        row = message.row
        self.rows[row.index] = row
        table = self.query_one("#sms-table", DataTable)
        key = str(row.index)
        for column, cell in zip(("state", "number", "name", "answer"), self.cells(row)):
            table.update_cell(key, column, cell)
        table.move_cursor(row=table.get_row_index(key), animate=False)
        self.show_summary()

    def on_sms_send_screen_finished(self, message: Finished) -> None:
        self.running = False
        if message.batch is None:
            self.notify(_("Sending stopped: {error}").format(error=message.error), severity="error", markup=False)
            self._load()
            return
        self.batch = message.batch
        table = self.query_one("#sms-table", DataTable)
        for row in message.batch.rows:
            self.rows[row.index] = row
            for column, cell in zip(("state", "number", "name", "answer"), self.cells(row)):
                table.update_cell(str(row.index), column, cell)
        self.show_summary()

    # -- keys ---------------------------------------------------------------------------------
    def action_stop(self) -> None:
        if self.running:
            self.stop_event.set()
            self.notify(_("Stopping after the current message."), markup=False)

    def action_resume(self) -> None:
        if self.running or self.batch is None or self.batch.closed:
            return
        if not any(r.state in sms_batch.TO_SEND for r in self.rows.values()):
            self.notify(_("Nothing left to send."), markup=False)
            return
        self.start_run(resend_unknown=False)

    def action_resend_unknown(self) -> None:
        if self.running or self.batch is None or self.batch.closed:
            return
        unknown = [r for r in self.rows.values() if r.state in (sms.UNKNOWN, sms_batch.SENDING)]
        if not unknown:
            self.notify(_("No message has an unknown fate."), markup=False)
            return
        question = _("Send again the {count} message(s) that may already have gone out? Those recipients may get the message twice.").format(count=len(unknown))
        self.app.push_screen(ConfirmScreen(question),
                             lambda yes: self.start_run(resend_unknown=True) if yes else None)

    def action_close_batch(self) -> None:
        if self.running or self.batch is None or self.batch.closed:
            return
        question = _("Close the batch? Nothing more is sent from it.")
        self.app.push_screen(ConfirmScreen(question), lambda yes: self._close() if yes else None)

    @work(thread=True, exclusive=True, group="sms-close", exit_on_error=False)
    def _close(self) -> None:
        try:
            sms_batch.close(self.batch_id)
        except Exception as exc:  # noqa: BLE001
            self.post_message(self.Finished(None, failures.sentence(exc)))
            return
        self._load()

    def action_back(self) -> None:
        if not self.running:
            self.app.pop_screen()
            return
        self.app.push_screen(
            ConfirmScreen(_("Stop sending? The messages not yet sent stay in the batch and can be sent later.")),
            lambda yes: self.action_stop() if yes else None,
        )
