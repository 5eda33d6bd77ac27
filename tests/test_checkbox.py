"""A ticked and an unticked checkbox differ by a mark, not only by colour (NO_COLOR, monochrome)."""

from __future__ import annotations

from textual.app import App, ComposeResult

from pupetui.widgets.checkbox import MarkedCheckbox


class Boxes(App):
    def compose(self) -> ComposeResult:
        yield MarkedCheckbox("Alpha", False, id="a", compact=True)
        yield MarkedCheckbox("Beta", True, id="b", compact=True)


def line_of(app: App, label: str) -> str:
    lines = ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]
    return next(line for line in lines if label in line)


async def test_the_tick_is_a_mark_and_follows_the_value(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = Boxes()
    async with app.run_test(size=(40, 6)) as pilot:
        assert "X" not in line_of(app, "Alpha") and "X" in line_of(app, "Beta")
        app.query_one("#a", MarkedCheckbox).focus()
        await pilot.press("space")  # tick it by keyboard
        await pilot.pause()
        assert app.query_one("#a", MarkedCheckbox).value is True
        assert "X" in line_of(app, "Alpha")
        app.query_one("#b", MarkedCheckbox).value = False
        await pilot.pause()
        assert "X" not in line_of(app, "Beta")
