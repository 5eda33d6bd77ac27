"""Terminal fit (issue #10), for every program registered in pupetui/screens/programs.py, so a
program added there is checked too: keys that terminals pass through, F1 and the command palette
on every program screen, every screen usable at 80x24 and using a larger terminal, and every
state shown by a mark that needs no colour.
"""

from __future__ import annotations

import string

import pytest
from textual.binding import Binding
from textual.keys import _character_to_key

from pupetui import config, db, i18n
from pupetui.app import PupetuiApp, keymap_classes
from pupetui.screens.help import HelpScreen, screen_actions
from pupetui.screens.menu import MenuScreen
from pupetui.screens.programs import BINDING_CLASSES, PROGRAM_SCREENS, _load
from pupetui.services import auth, demo, schema
from pupetui.services.programs import BY_ID
from test_app import screen_text, wait_for

# Keys that reach a program through any terminal, tmux, screen and SSH: letters and digits
# (shifted too), F1-F10, Ctrl with a letter, arrows, paging, Home/End, Enter, Esc, Tab,
# Shift+Tab, space, Delete, Backspace, Insert, and printable punctuation.
RELIABLE_KEYS = (
    set(string.ascii_letters)
    | set(string.digits)
    | {f"f{n}" for n in range(1, 11)}
    | {f"ctrl+{c}" for c in string.ascii_lowercase}
    | {"up", "down", "left", "right", "pageup", "pagedown", "home", "end", "insert"}
    | {"enter", "escape", "tab", "shift+tab", "space", "delete", "backspace"}
    | {_character_to_key(c) for c in string.punctuation}
)
# Not passed reliably: F11/F12 (taken by terminal emulators), Alt (Meta) combinations,
# Ctrl+Shift, Ctrl with Enter, Space, Home/End or arrows (many terminals send nothing or the
# plain key), Super.


def binding_classes() -> list[type]:
    """The app, the shell's screens, every registered program screen and every class with
    bindings of its own (forms, pickers, grids)."""
    return [PupetuiApp, *keymap_classes()]


def actions_of(cls: type) -> dict[str, list[Binding]]:
    by_action: dict[str, list[Binding]] = {}
    for key, binding in cls._merge_bindings():
        by_action.setdefault(binding.action, []).append(Binding(key, binding.action, binding.description,
                                                                id=binding.id, system=binding.system))
    return by_action


def test_every_registered_screen_is_checked():
    names = {c.__module__ + ":" + c.__name__ for c in binding_classes()}
    for target in list(PROGRAM_SCREENS.values()) + list(BINDING_CLASSES):
        assert target in names


@pytest.mark.parametrize("cls", binding_classes(), ids=lambda c: c.__name__)
def test_every_action_has_a_key_that_terminals_pass(cls):
    for action, bindings in actions_of(cls).items():
        keys = [b.key for b in bindings]
        if all(b.system for b in bindings):
            continue
        assert any(key in RELIABLE_KEYS for key in keys), (
            f"{cls.__name__}: the action {action!r} has only keys terminals may not pass: {keys}"
        )


@pytest.mark.parametrize("cls", binding_classes(), ids=lambda c: c.__name__)
def test_every_binding_has_an_id_for_the_keymap(cls):
    for action, bindings in actions_of(cls).items():
        for binding in bindings:
            # Textual's own widgets (Input, DataTable...) bring bindings without ids: their
            # editing keys are Textual's, the same in every application
            owner = next(k for k in cls.__mro__ if any(b.action == action for b in _own(k)))
            if owner.__module__.startswith("textual."):
                continue
            assert binding.id or binding.system, f"{cls.__name__}: {binding.key} -> {action} has no id"


def _own(cls: type) -> list[Binding]:
    return [b if isinstance(b, Binding) else Binding(*b) for b in cls.__dict__.get("BINDINGS", [])]


# -- the programs on demo data ----------------------------------------------------------------

PROGRAM_IDS = [pid for pid in PROGRAM_SCREENS if BY_ID[pid].available]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('terminal') / 'demo.sqlite3'}"
    d = db.connect(url)
    schema.init(d)
    demo.generate(d, customers=40, seed=1)
    d.close()
    return url


@pytest.fixture
def make_app(demo_url):
    i18n.set_language("en")
    d = db.connect(demo_url)

    def make(**over) -> PupetuiApp:
        auth.login(demo.DEMO_COMPANY, demo.DEMO_USER, None, mode="none")
        values = dict(db=demo_url, company="", user=demo.DEMO_USER, lang="en", auth="none", theme="ansi")
        values.update(over)
        return PupetuiApp(config.Settings(**values), company=demo.DEMO_COMPANY)

    yield make
    db.end_session()
    d.close()


async def settle(pilot) -> None:
    """Let the screen load what its workers fetch."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def open_program(pilot, program_id: str):
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, MenuScreen) and app.screen.info is not None)
    screen_class = _load(PROGRAM_SCREENS[program_id])
    app.open_program(program_id)
    await wait_for(pilot, lambda: type(app.screen) is screen_class)
    await settle(pilot)
    return app.screen


def own_keys(screen) -> set[str]:
    """The descriptions of the bindings the screen's class declares (not the generic ones) that
    are active now: not hidden by the screen's check_action, nor taken by the focused widget."""
    generic = {b.id for b in PupetuiApp.BINDINGS} | {"focus_next", "focus_previous", "copy_text"}
    active_ids = {a.binding.id for a in screen.active_bindings.values()}
    return {
        i18n._(b.description)
        for _key, b in type(screen)._merge_bindings()
        if b.description and b.id not in generic and not b.system and b.id in active_ids
    }


@pytest.mark.parametrize("program_id", PROGRAM_IDS)
async def test_f1_lists_the_keys_of_every_program_screen(make_app, program_id):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_program(pilot, program_id)
        expected = own_keys(screen)
        assert expected
        await pilot.press("f1")  # whatever has the focus (a search field, a grid, an editor)
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        listed = {description for _keys, description in app.screen.keys}
        assert expected <= listed
        assert f"Keys: {screen.title}" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)


@pytest.mark.parametrize("program_id", PROGRAM_IDS)
async def test_the_command_palette_lists_every_action_of_every_program_screen(make_app, program_id):
    from textual.command import CommandPalette

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_program(pilot, program_id)
        actions = screen_actions(screen)
        assert actions, f"{program_id}: no actions"
        for description, _keys, _node, _binding in actions:
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
            palette = app.screen
            palette.query_one("CommandInput").value = description
            await wait_for(pilot, lambda: any(
                description == str(o.prompt).split("\n")[0].strip() or description in str(o.prompt)
                for o in palette.query_one("CommandList")._options), timeout=5)
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is screen)


async def test_the_command_palette_runs_an_action_of_the_screen(make_app):
    import calendar as calendar_module
    import datetime as dt

    from textual.command import CommandPalette

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_program(pilot, "calendar")
        today = dt.date.today()
        this_month = f"{calendar_module.month_name[today.month]} {today.year}"
        following = today.replace(day=1) + dt.timedelta(days=32)
        next_month = f"{calendar_module.month_name[following.month]} {following.year}"
        assert this_month in screen_text(app)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"next month")
        await wait_for(pilot, lambda: "Next month" in screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen and next_month in screen_text(app))
