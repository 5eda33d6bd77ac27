"""The calendar entry form says what Pupesoft will store in the comment (issue #16), and an
emoji (a DataError on MariaDB before) is named in the form, the entry not saved, nothing lost."""

from __future__ import annotations

from textual.widgets import Input, TextArea

from pupetui.screens.calendar_forms import EntryFormScreen
from test_calendar_screens import (  # noqa: F401 - english and url: the fixtures
    SIZE, TODAY, english, fill, logged_in_app, open_calendar, seed, shows, stored, url, wait_for,
)


async def test_the_comment_shows_the_stored_form_and_an_emoji_is_refused_with_everything_kept(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_calendar(pilot)
        before = len(stored("matti", TODAY))
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryFormScreen))
        form = app.screen
        await fill(pilot, form.query_one("#entry-start-time", Input), "10:00")
        await fill(pilot, form.query_one("#entry-end-time", Input), "11:00")
        comment = form.query_one("#entry-comment", TextArea)
        comment.text = "Esittely <uusi> malli; 5\\6 😀"
        await shows(pilot, "😀 (GRINNING FACE) cannot be stored in Pupesoft")
        await pilot.press("ctrl+s")
        await shows(pilot, "Comment: 😀 (GRINNING FACE) cannot be stored in Pupesoft")
        assert app.screen is form
        assert comment.text == "Esittely <uusi> malli; 5\\6 😀"
        assert form.query_one("#entry-start-time", Input).value == "10:00"
        assert len(stored("matti", TODAY)) == before
        comment.text = "Esittely <uusi> malli; 5\\6"
        await shows(pilot, "will be stored as: Esittely uusi malli 56")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(stored("matti", TODAY)) == before + 1)
        assert "Esittely uusi malli 56" in [e.comment for e in stored("matti", TODAY)]
