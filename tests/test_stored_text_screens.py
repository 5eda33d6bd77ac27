"""The forms show what Pupesoft will store before it is stored (issue #16).

Typing a text Pupesoft's input rule changes shows a note under the field with the stored form;
a character Pupesoft cannot store is named under the field, the save is refused and every typed
value stays in the form.
"""

from __future__ import annotations

from textual.widgets import Input, Select, TextArea

from pupetui import db
from pupetui.models import Activity, Customer
from pupetui.screens.calendar_forms import EntryTypeFormScreen
from pupetui.screens.customer_edit import CustomerEditScreen
from pupetui.screens.memo_forms import ContactFormScreen, EntryFormScreen
from pupetui.services import customer_edit
from pupetui.widgets.form import FormField
from pupetui.widgets.stored_note import StoredNote
from test_customer_screens import open_editor, open_list, seed as seed_customers
from test_memo_screen import (  # noqa: F401 - english and url: the fixtures
    SIZE, english, logged_in_app, open_memo, seed, shows, url, wait_for,
)

NOTE = 'Pupesoft removes " \' < > \\ ; — will be stored as:'


def note_of(screen, widget_id: str) -> StoredNote:
    return screen.query_one(f"#{widget_id}-stored-note", StoredNote)


async def test_a_memo_text_with_markup_shows_the_stored_form_before_saving_and_is_saved_so(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_memo(pilot, seeded.customer)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryFormScreen))
        form = app.screen
        text = form.query_one("#entry-text", TextArea)
        text.focus()
        await pilot.press("H", "i", "n", "t", "a")
        assert not note_of(form, "entry-text").display  # stored as typed: no note
        text.insert(' <b>"5;6"</b>')
        await shows(pilot, NOTE, "Hinta b56/b")  # before saving
        assert note_of(form, "entry-text").display
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        with db.session("acme", "matti"):
            newest = Activity.select().order_by(Activity.id.desc()).first()
        assert newest.text == "Hinta b56/b"


async def test_an_emoji_in_a_memo_text_is_named_under_the_field_and_nothing_typed_is_lost(url):
    seeded = seed(url)
    with db.session("acme", "matti"):
        before = Activity.select().count()
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_memo(pilot, seeded.customer)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryFormScreen))
        form = app.screen
        form.query_one("#entry-method", Select).value = "Puhelu"
        text = form.query_one("#entry-text", TextArea)
        text.focus()
        text.insert("Kiitos 😀")
        await shows(pilot, "😀 (GRINNING FACE) cannot be stored in Pupesoft")  # under the field, while typing
        assert note_of(form, "entry-text").has_class("-error")
        await pilot.press("ctrl+s")
        await shows(pilot, "Text: 😀 (GRINNING FACE) cannot be stored in Pupesoft")  # the save is refused
        assert app.screen is form
        assert text.text == "Kiitos 😀"
        assert form.query_one("#entry-method", Select).value == "Puhelu"
        with db.session("acme", "matti"):
            assert Activity.select().count() == before
        # removing it lets the entry be saved
        text.text = "Kiitos"
        await wait_for(pilot, lambda: not note_of(form, "entry-text").display)


async def test_a_contact_field_shows_its_note_and_an_emoji_keeps_every_field(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_memo(pilot, seeded.customer)
        await pilot.press("2", "a")  # the contacts tab, add
        await wait_for(pilot, lambda: isinstance(app.screen, ContactFormScreen))
        form = app.screen
        name = form.query_one("#contact-name", Input)
        name.focus()
        name.insert_text_at_cursor("Olli 'Osto'")
        await shows(pilot, NOTE, "Olli Osto")
        role = form.query_one("#contact-role", Input)
        role.insert_text_at_cursor("Pomo 👑")
        await pilot.press("ctrl+s")
        await shows(pilot, "👑 (CROWN) cannot be stored in Pupesoft")
        assert app.screen is form
        assert (name.value, role.value) == ("Olli 'Osto'", "Pomo 👑")


async def test_a_calendar_type_name_shows_what_is_stored(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "MenuScreen")
        app.push_screen(EntryTypeFormScreen(None))
        await wait_for(pilot, lambda: isinstance(app.screen, EntryTypeFormScreen))
        field = app.screen.query_one("#type-text", Input)
        field.focus()
        field.insert_text_at_cursor("Käynti <x>")
        await shows(pilot, NOTE, "Käynti x")


async def test_the_customer_editor_shows_the_note_under_the_field_and_an_emoji_keeps_every_value(sqlite_url):
    seed_customers(sqlite_url)
    app = logged_in_app(sqlite_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        editor = await open_editor(pilot, screen, "mäki")
        assert isinstance(editor, CustomerEditScreen)
        customer_id = editor.customer_id
        name = editor.query_one("#field-name", Input)
        name.focus()
        name.value = ""
        name.insert_text_at_cursor("Mäkinen \"& Poika\" Ky")
        row = editor.query_one("#row-name", FormField)
        await wait_for(pilot, lambda: row.error_text.startswith("Pupesoft removes"))
        assert row.error_text.endswith("will be stored as: Mäkinen & Poika Ky")
        assert row.has_class("-warning")
        city = editor.query_one("#field-city", Input)
        city.value = "Ωulu"
        await pilot.press("ctrl+s")
        city_row = editor.query_one("#row-city", FormField)
        await wait_for(pilot, lambda: "cannot be stored in Pupesoft" in city_row.error_text)
        assert city_row.has_class("-error") and "Ω (GREEK CAPITAL LETTER OMEGA)" in city_row.error_text
        assert isinstance(app.screen, CustomerEditScreen)
        assert (name.value, city.value) == ("Mäkinen \"& Poika\" Ky", "Ωulu")
        with db.session("acme", "matti"):
            assert customer_edit.load(customer_id).name == "Mäkinen Ky"  # nothing saved
        city.value = "Oulu"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        with db.session("acme", "matti"):
            assert Customer.get_by_id(customer_id).name == "Mäkinen & Poika Ky"
