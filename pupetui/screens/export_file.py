"""The file-name dialog of an export (`ExportFileScreen`): the name is checked by
services/export_target.py before the dialog closes, so a wrong suffix, a folder, a missing folder,
a symbolic link or a file pupetui did not write is told in the dialog, which keeps what was typed.
A file pupetui wrote earlier is replaced only after a yes. Under `pupetui serve` the dialog asks
for a name only: the file goes into the user's own folder on the server and to the browser."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from pupetui.i18n import _
from pupetui.services import export_target
from pupetui.widgets.confirm import DIALOG_CSS, AskTextScreen, ConfirmScreen
from pupetui.widgets.literal import literal


def export_path_error(text: str, fmt: str | tuple[str, ...]) -> tuple[Path | None, str]:
    """The file an export would write for `text`, or None and the reason it may not. `fmt` may
    be a choice ("xlsx", "csv"): the name's suffix chooses, none means the first."""
    if isinstance(fmt, tuple):
        suffix = Path(text.strip()).suffix.lower().lstrip(".")
        if suffix and suffix not in fmt:
            return None, _("The file name must end in {suffixes}.").format(
                suffixes=_(" or ").join("." + f for f in fmt))
        fmt = suffix or fmt[0]
    try:
        return export_target.resolve(text, fmt), ""
    except export_target.ExportError as exc:
        return None, str(exc)


def shown(path) -> str:
    """A written file as a message names it: under `pupetui serve` its name only (the folder on
    the server is nothing the browser user needs to see)."""
    return Path(path).name if export_target.served() else str(path)


def browser_note() -> str:
    return _("The file is sent to your browser as a download.")


class ExportFileScreen(AskTextScreen):
    """Asks for the file of an export; dismisses with the checked Path, or None (Esc, Cancel)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ExportFileScreen") + """
    ExportFileScreen #ask-error { color: $error; width: 100%; }
    """

    def __init__(self, title: str, label: str, default: str, fmt: str | tuple[str, ...]) -> None:
        """`default`: the path first shown (under `pupetui serve` its file name only)."""
        self.served = export_target.served()
        if self.served:
            label = f"{label} {browser_note()}"
            default = Path(default).name
        super().__init__(title, label, default)
        self.fmt = fmt

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("Vertical").mount(Static("", id="ask-error"), after="#ask-text")

    def submit(self, value: str) -> None:
        path, error = export_path_error(value, self.fmt)
        self.query_one("#ask-error", Static).update(literal(error))
        if path is None:
            return
        if path.exists():
            def answered(yes: bool | None) -> None:
                if yes:
                    self.dismiss(path)

            self.app.push_screen(ConfirmScreen(_("{path} exists. Replace it?").format(path=shown(path))), answered)
            return
        self.dismiss(path)
