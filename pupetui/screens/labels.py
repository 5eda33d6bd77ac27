"""Address labels (Pupesoft's "Tulosta osoitetarrat", crm/tarrat.php).

The screen is a `CustomerSelection` (widgets/customer_selection.py: the customer list's filters,
text filters, NOT, row limit; every found row ticked) and a print dialog. Keys:
- Space ticks or unticks a row, `+`/`a` ticks all, `-`/`u` unticks all, `f` opens the filters;
- `p` opens the print dialog: PDF labels (sheet 3x11, 3x8 or a configured one, the first free
  label of a partly used sheet) or an Excel file of the addresses; the delivery address; one
  label per contact; a memo text written on each printed customer; the file name. Ctrl+S or
  the Print button prints (asking before replacing a file), Esc cancels (asking first when
  something was changed);
- Esc goes back to the menu.
The printing runs in a worker through `services.labels.print_labels`, the same service
`pupetui labels` calls; the file is then handed to `app.deliver_export`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Select, Static

from pupetui.i18n import N_, _, current_language, format_decimal
from pupetui.screens.base import PupeModalScreen, PupeScreen
from pupetui.screens.export_file import browser_note, export_path_error, shown
from pupetui.services import export_target, labels
from pupetui.services.export import ExportError
from pupetui.services.selection import SelectionError
from pupetui.widgets.confirm import ConfirmScreen
from pupetui.widgets.customer_selection import CustomerSelection
from pupetui.widgets.literal import literal, printable
from pupetui.widgets.stored_note import StoredTextNotes
from pupetui.widgets.checkbox import MarkedCheckbox
from pupetui.services import failures

CSS = Path(__file__).with_name("labels.tcss")
OUTPUTS = (("pdf", N_("PDF labels")), ("xlsx", N_("Excel file of the addresses")))


@dataclass(frozen=True)
class PrintRequest:
    output: str
    sheet: str
    start: int
    delivery_address: bool
    per_contact: bool
    memo_text: str
    path: str


def sheet_label(sheet: labels.Sheet) -> str:
    return _("{name}: {count} labels of {width} × {height} mm").format(
        name=sheet.name, count=sheet.per_sheet,
        width=format_decimal(sheet.label_width, places=1).rstrip("0").rstrip(",."),
        height=format_decimal(sheet.label_height, places=1).rstrip("0").rstrip(",."),
    )


def default_path(output: str) -> str:
    return export_target.default_path(_("labels"), fmt=output)  # (a file name: no spaces)


class LabelsScreen(PupeScreen):
    TITLE_ID = N_("Address labels")
    CSS_PATH = CSS
    BINDINGS = [
        Binding("escape", "back", N_("Back"), show=False, id="labels_back"),
        Binding("p", "print", N_("Print"), id="labels_print"),
    ]

    class Printed(Message):
        def __init__(self, result: labels.PrintResult, output: str) -> None:
            super().__init__()
            self.result = result
            self.output = output

    class PrintFailed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self) -> None:
        super().__init__()
        self.request: PrintRequest | None = None  # the last one, offered again
        self.printing = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield CustomerSelection(id="labels-selection")
        yield Footer(compact=True)

    @property
    def selection(self) -> CustomerSelection:
        return self.query_one("#labels-selection", CustomerSelection)

    def on_mount(self) -> None:
        self.selection.focus()

    def action_back(self) -> None:
        self.dismiss()

    # -- configuration -----------------------------------------------------------------------
    def _settings(self) -> dict[str, Any]:
        settings = getattr(self.app, "settings", None)
        return dict(getattr(settings, "labels", None) or {})

    def _sheets(self) -> dict[str, labels.Sheet]:
        try:
            return labels.sheets(self._settings().get("sheets"))
        except labels.LabelError as exc:
            self.notify(_("A label sheet of the configuration cannot be used: {error}").format(error=failures.sentence(exc)),
                        severity="warning", markup=False, timeout=10)
            return dict(labels.PRESETS)

    # -- printing ----------------------------------------------------------------------------
    def action_print(self) -> None:
        if self.printing:
            self.notify(_("The labels are being printed."), markup=False)
            return
        widget = self.selection
        if widget.found == 0:
            self.notify(_("No customers match."), severity="warning", markup=False)
            return
        if widget.ticked_count == 0:
            self.notify(_("No customer is ticked."), severity="warning", markup=False)
            return
        self.app.push_screen(PrintLabelsScreen(self._sheets(), self.request, memos=self._memos()), self._print_chosen)

    @staticmethod
    def _memos() -> bool:
        """Whether printing writes memos (the company's kalenterimerkinnat), as crm/tarrat.php asks."""
        try:
            return labels.writes_memos()
        except Exception:  # noqa: BLE001 - the print itself then says what is wrong
            return True

    def _print_chosen(self, request: PrintRequest | None) -> None:
        if request is None:
            return
        self.request = request
        path = Path(request.path)  # checked by the dialog (export_target.resolve)
        if path.exists():
            self.app.push_screen(
                ConfirmScreen(_("{path} exists. Replace it?").format(path=shown(path))),
                lambda yes: self._start(request, path) if yes else None,
            )
            return
        self._start(request, path)

    def _start(self, request: PrintRequest, path: Path) -> None:
        sheets = self._sheets()
        settings = self._settings()
        widget = self.selection
        job = labels.LabelJob(
            widget.selection_query, widget.ticks.copy(),
            labels.LabelOptions(request.delivery_address, request.per_contact,
                                settings.get("language") or current_language()),
            output=request.output, sheet=sheets.get(request.sheet), start=request.start,
            memo_text=request.memo_text, font_path=settings.get("font", ""),
        )
        self.printing = True
        self.notify(_("Printing the labels to {path}…").format(path=shown(path)), markup=False)
        self._run(job, path)

    @work(thread=True, exclusive=True, group="labels-print", exit_on_error=False)
    def _run(self, job: labels.LabelJob, path: Path) -> None:
        try:
            result = labels.print_labels(path, job, titles=_)
        except (labels.LabelError, SelectionError, ExportError) as exc:
            self.post_message(self.PrintFailed(str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - told plainly, never a traceback
            self.post_message(self.PrintFailed(failures.sentence(exc)))
            return
        self.post_message(self.Printed(result, job.output))

    def on_labels_screen_printed(self, message: Printed) -> None:
        self.printing = False
        result = message.result
        if message.output == "pdf":
            text = _("Saved {labels} labels on {pages} pages to {path}").format(
                labels=result.labels, pages=result.pages, path=shown(result.path))
        else:
            text = _("Saved {labels} addresses to {path}").format(labels=result.labels, path=shown(result.path))
        if result.memos:
            text += " · " + _("{count} memos written").format(count=result.memos)
        self.notify(printable(text), title=_("Address labels"), markup=False, timeout=10)
        self.app.deliver_export(result.path)

    def on_labels_screen_print_failed(self, message: PrintFailed) -> None:
        self.printing = False
        self.notify(printable(_("The labels could not be printed: {error}").format(error=message.error)),
                    severity="error", markup=False, timeout=12)


class PrintLabelsScreen(StoredTextNotes, PupeModalScreen):
    """What to print and where; dismisses with a PrintRequest or None."""

    TITLE_ID = N_("Print address labels")
    CSS_PATH = CSS
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="labels_print_cancel"),
        Binding("ctrl+s", "print", N_("Print"), id="labels_print_ok"),
    ]

    def __init__(self, sheets: dict[str, labels.Sheet], previous: PrintRequest | None = None, *,
                 memos: bool = True) -> None:
        super().__init__()
        self.sheets = sheets
        self.memos = memos  # False: the company writes no memos, so no memo text is asked (as Pupesoft)
        first = next(iter(sheets))
        self.initial = previous if previous is not None and previous.sheet in sheets else PrintRequest(
            "pdf", first, 1, False, False, "", default_path("pdf"))

    def compose(self) -> ComposeResult:
        r = self.initial
        with Vertical(id="print-box"):
            yield Static(literal(_("Print address labels")), classes="dialog-title")
            with Horizontal(classes="print-row"):
                yield Label(literal(_("Output")), classes="print-label")
                yield Select([(_(t), v) for v, t in OUTPUTS], value=r.output, allow_blank=False,
                             id="print-output", compact=True)
            with Horizontal(classes="print-row"):
                yield Label(literal(_("Sheet")), classes="print-label")
                yield Select([(literal(sheet_label(s)), n) for n, s in self.sheets.items()], value=r.sheet,
                             allow_blank=False, id="print-sheet", compact=True)
            with Horizontal(classes="print-row"):
                yield Label(literal(_("Start at label")), classes="print-label")
                yield Input(str(r.start), id="print-start", compact=True, restrict=r"[0-9]*", max_length=4)
            yield MarkedCheckbox(_("Use the delivery address (where all its fields are filled)"), r.delivery_address,
                           id="print-delivery", compact=True)
            yield MarkedCheckbox(_("One label per contact person"), r.per_contact, id="print-contacts", compact=True)
            if self.memos:
                with Horizontal(classes="print-row"):
                    yield Label(literal(_("Memo text")), classes="print-label")
                    yield Input(r.memo_text, id="print-memo", compact=True,
                                placeholder=_("added to the memo written on each customer"))
            else:
                yield Static(literal(_("The company's settings write no memo when labels are printed.")),
                             id="print-no-memo", classes="print-note")
            with Horizontal(classes="print-row"):
                yield Label(literal(_("File")), classes="print-label")
                yield Input(Path(r.path).name if export_target.served() else r.path, id="print-path", compact=True)
            if export_target.served():
                yield Static(literal(browser_note()), classes="print-note")
            yield Static("", id="print-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Print"), id="print-ok", variant="primary")
                yield Button(_("Cancel"), id="print-cancel")

    def on_mount(self) -> None:
        self.note_stored_text("#print-memo")  # what Pupesoft stores in the memos
        self.query_one("#print-output", Select).focus()
        self._sync()

    def _sync(self) -> None:
        pdf = self.query_one("#print-output", Select).value == "pdf"
        self.query_one("#print-sheet", Select).disabled = not pdf
        self.query_one("#print-start", Input).disabled = not pdf

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "print-output":
            return
        self._sync()
        path_input = self.query_one("#print-path", Input)
        output = str(event.value)
        path = Path(path_input.value)
        if path.suffix.lower() in (".pdf", ".xlsx") and path.suffix.lower() != f".{output}":
            path_input.value = str(path.with_suffix(f".{output}"))

    def chosen(self) -> PrintRequest:
        start_text = self.query_one("#print-start", Input).value.strip()
        return PrintRequest(
            output=str(self.query_one("#print-output", Select).value),
            sheet=str(self.query_one("#print-sheet", Select).value),
            start=int(start_text) if start_text.isdigit() else 0,
            delivery_address=self.query_one("#print-delivery", Checkbox).value,
            per_contact=self.query_one("#print-contacts", Checkbox).value,
            memo_text=self.query_one("#print-memo", Input).value.strip() if self.memos else "",
            path=self.query_one("#print-path", Input).value.strip(),
        )

    def _error(self, text: str, field_id: str) -> None:
        self.query_one("#print-error", Static).update(literal("! " + text))
        self.query_one(f"#{field_id}").focus()

    def action_print(self) -> None:
        request = self.chosen()
        if request.output == "pdf":
            sheet = self.sheets[request.sheet]
            if not 1 <= request.start <= sheet.per_sheet:
                self._error(_("The first label must be 1 to {count}.").format(count=sheet.per_sheet), "print-start")
                return
        if not request.path:
            self._error(_("Give a file name."), "print-path")
            return
        path, error = export_path_error(request.path, request.output)
        if path is None:
            self._error(error, "print-path")
            return
        self.dismiss(PrintRequest(**{**request.__dict__, "path": str(path)}))

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#print-error", Static).update("")  # told about the old value: gone with it

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_print()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "print-ok":
            self.action_print()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        if self.chosen() == self.initial:
            self.dismiss(None)
            return
        self.app.push_screen(
            ConfirmScreen(_("Discard what you wrote in the print dialog?")),
            lambda yes: self.dismiss(None) if yes else None,
        )

