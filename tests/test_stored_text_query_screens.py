"""The query generator's save says what Pupesoft will store (issue #16): the values and the
name as Pupesoft's input rule leaves them, shown in the save dialog before saving."""

from __future__ import annotations

from textual.widgets import Input

from pupetui.models import SavedForm
from pupetui.services import query_generator as Q
from pupetui.widgets.confirm import AskTextScreen
from test_query_screens import (  # noqa: F401 - english and url: the fixtures
    SIZE, english, logged_in_app, open_generator, pick_table, restrict, shows, tick, url, wait_for,
)


async def test_saving_a_query_shows_the_stored_values_and_name_before_saving(url):
    app = logged_in_app(url, user="anna")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_generator(pilot)
        await pick_table(pilot, screen, "asiakas")
        await tick(pilot, screen, "nimi")
        await restrict(pilot, screen, "postitp", "=", "Tur'ku;")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, AskTextScreen))
        await shows(pilot, "Pupesoft removes", "will be stored as: Turku")  # the value, before saving
        await pilot.press(*"Turku <uudet>")
        await shows(pilot, "will be stored as: Turku uudet")  # and the name, as it is typed
        assert app.screen.query_one(Input).value == "Turku <uudet>"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen and SavedForm.select().count() == 1)
        row = SavedForm.get()
        assert row.title == "Turku uudet"
        [saved] = Q.saved_queries()
        assert [f.value for f in saved.spec.fields if f.operator] == ["Turku"]
