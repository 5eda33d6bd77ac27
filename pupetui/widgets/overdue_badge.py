"""The number of the user's overdue reminders, kept fresh while the app runs.

`OverdueCount(app)` is the app's one counter: `start()` (once the session is known) counts at
once and then every `interval` seconds, `refresh()` counts again now (after a reminder was
acknowledged or added). Each count is one COUNT query (`services.reminders.overdue_count`) in a
thread worker; a failed count keeps the last one shown.

Where it shows:
- in the header of every screen, before the title (`format_title`, which the app's
  `format_title` calls), so a long customer name in a sub-title cannot push it out of sight;
- in the main menu as an `OverdueBadge` line that names the reminders program's key.
Both start with "!" and say "overdue" in words: nothing depends on colour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.timer import Timer
from textual.widgets import Header, Static

from pupetui.i18n import _
from pupetui.widgets.literal import literal

if TYPE_CHECKING:
    from textual.app import App

OVERDUE_MARK = "!"
REFRESH_SECONDS = 60.0


def header_text(count: int) -> str:
    return _("{mark} {count} overdue").format(mark=OVERDUE_MARK, count=count) if count else ""


def menu_text(count: int, key: str) -> str:
    if not count:
        return ""
    if count == 1:
        return _("{mark} 1 overdue reminder: press {key} to see it").format(mark=OVERDUE_MARK, key=key)
    return _("{mark} {count} overdue reminders: press {key} to see them").format(
        mark=OVERDUE_MARK, count=count, key=key
    )


class OverdueCount:
    """The overdue count of the logged-in user, refreshed in a worker of `app`."""

    def __init__(self, app: "App", interval: float = REFRESH_SECONDS) -> None:
        self.app = app
        self.interval = interval
        self.count = 0
        self.enabled = False
        self._timer: Timer | None = None

    def start(self, enabled: bool = True) -> None:
        """Count now and every `interval` seconds; `enabled=False` (no right to the reminders
        program) stops counting and shows nothing."""
        self.enabled = enabled
        if not enabled:
            if self._timer is not None:
                self._timer.stop()
                self._timer = None
            self.show(0)
            return
        if self._timer is None:
            self._timer = self.app.set_interval(self.interval, self.refresh, name="overdue-count")
        self.refresh()

    def refresh(self) -> None:
        if self.enabled:
            self.app.run_worker(
                self._count, thread=True, exclusive=True, group="overdue-count", exit_on_error=False
            )

    def _count(self) -> None:
        # imported here, in the worker: the reminders service brings the memo, calendar, mail
        # and SMS services, which the first frame of the menu does not need
        from pupetui.services import reminders

        try:
            count = reminders.overdue_count()
        except Exception:  # noqa: BLE001 - e.g. the database is away for a moment: keep the last count
            return
        try:
            self.app.call_from_thread(self.show, count)
        except RuntimeError:  # the app has closed meanwhile
            pass

    def show(self, count: int) -> None:
        if count == self.count:
            return
        self.count = count
        for screen in self.app.screen_stack:
            for header in screen.query(Header):
                for title in header.query("HeaderTitle"):
                    title.update(header.format_title())
            for badge in screen.query(OverdueBadge):
                badge.show(count)

    def format_title(self, title: Content) -> Content:
        """The header's title with the count before it (unchanged when nothing is overdue)."""
        text = header_text(self.count) if self.enabled else ""
        if not text:
            return title
        return Content.assemble((text, "bold $text-error"), (" · ", "dim"), title)


class OverdueBadge(Static):
    """A line for the main menu: how many reminders are overdue, and the key that shows them."""

    DEFAULT_CSS = """
    OverdueBadge {
        width: 100%;
        height: auto;
        color: $text-error;
        text-style: bold;
        display: none;
    }
    OverdueBadge.-shown {
        display: block;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes, markup=False)

    def on_mount(self) -> None:
        counter = getattr(self.app, "overdue_reminders", None)
        self.show(counter.count if isinstance(counter, OverdueCount) and counter.enabled else 0)

    def show(self, count: int) -> None:
        key = "r"
        program_key = getattr(self.app, "program_key", None)
        if program_key is not None:
            try:
                key = program_key("reminders")
            except KeyError:
                pass
        text = menu_text(count, key)
        self.update(literal(text))
        self.set_class(bool(text), "-shown")
