"""Terminal fit (issue #10), for every program registered in pupetui/screens/programs.py, so a
program added there is checked too: keys that terminals pass through, F1 and the command palette
on every program screen, every screen usable at 80x24 and using a larger terminal, and every
state shown by a mark that needs no colour.
"""

from __future__ import annotations

import string

import pytest
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.keys import _character_to_key

from pupetui import config, db, i18n
from pupetui.app import PupetuiApp, keymap_classes
from pupetui.screens.help import HelpScreen, screen_actions
from pupetui.screens.menu import MenuScreen
from pupetui.screens.programs import BINDING_CLASSES, PROGRAM_SCREENS, _load
from pupetui.services import auth, demo, schema
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

PROGRAM_IDS = list(PROGRAM_SCREENS)


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
    from textual.worker import WorkerCancelled

    for _ in range(3):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:  # an exclusive worker replaced by a newer one
            pass
        await pilot.pause()


# Keys that bring a program to its working state before it is checked: its lists appear only
# once the user has chosen something (the SMS's customers, the report's preview of customers).
PREPARE = {
    "sms": ("f4",),  # recipients: the customers, a ticked selection list
    "contracts": ("f5",),  # the preview: the customers over the threshold
}


async def open_program(pilot, program_id: str):
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, MenuScreen) and app.screen.info is not None)
    screen_class = _load(PROGRAM_SCREENS[program_id])
    app.open_program(program_id)
    await wait_for(pilot, lambda: type(app.screen) is screen_class)
    await settle(pilot)
    for key in PREPARE.get(program_id, ()):
        await pilot.press(key)
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


# -- 80x24: nothing essential off-screen; a larger terminal used ----------------------------------


def scrolls(widget) -> bool:
    """Whether `widget` sits in a container the user can scroll to it in."""
    for node in widget.ancestors_with_self[1:]:
        if getattr(node, "is_scrollable", False) and (node.max_scroll_y > 0 or node.max_scroll_x > 0):
            return True
        if node is widget.screen:
            break
    return False


def fit_problems(app) -> list[str]:
    """What a user at this terminal size could not reach or see on the current screen."""
    from textual.geometry import Region
    from textual.widgets import Footer

    screen = app.screen
    whole = Region(0, 0, *app.size)
    problems = []
    for widget in screen.focus_chain:
        region = widget.region
        if region.width <= 0 or region.height <= 0:
            problems.append(f"{widget!r} has no room ({region})")
        elif not whole.contains_region(region) and not scrolls(widget):
            problems.append(f"{widget!r} is off-screen ({region}) and cannot be scrolled to")
    # the key columns of every table (its first two titled ones) are in view
    text = screen_text(app)
    for table in screen.query("PagedTable, DataTable"):
        if not table.display or table.region.area == 0:
            continue
        columns = getattr(table, "columns", ())
        titles = [c.title for c in columns] if isinstance(columns, tuple) else [str(c.label) for c in columns.values()]
        for title in [t for t in titles if t.strip()][:2]:
            if title.rstrip("…")[:8] not in text:
                problems.append(f"{table!r}: the column {title!r} is not in view")
    for footer in screen.query(Footer):
        if footer.display and not (footer.region.height == 1 and footer.region.bottom == whole.bottom):
            problems.append(f"the footer is not on the last line ({footer.region})")
    return problems


def main_area(screen) -> int:
    """The cells of the screen's largest focusable widget (its grid, list or editor)."""
    return max((w.region.area for w in screen.focus_chain), default=0)


LEAVING = ("back", "_cancel", "close", "calendar_reload", "reminders_reload")


async def back_to(pilot, screen) -> None:
    """Close what was opened over `screen` (answering "discard" where a form asks)."""
    app = pilot.app
    for _ in range(8):
        if app.screen is screen or screen not in app.screen_stack:
            return
        top = app.screen
        await pilot.press("escape")
        await settle(pilot)
        if app.screen is top:  # Esc did not close it (a busy form): close it as a program would
            app.pop_screen()
            await settle(pilot)
        if type(app.screen).__name__ == "ConfirmScreen":  # "discard the changes?"
            app.pop_screen()
            await settle(pilot)


async def each_focus(pilot, screen):
    """Yields with the focus where it is, then on each field, list or grid of `screen` in turn
    (while `screen` is still the one shown)."""
    for target in [None, *screen.focus_chain]:
        if pilot.app.screen is not screen:
            return
        if target is not None and target.is_attached:
            target.focus()
            await settle(pilot)
        yield target


async def explore(pilot, screen, checked: list[str], depth: int) -> None:
    """Check the fit of `screen`, then run each of its actions (as the palette or a key would)
    and check every screen or dialog that opens, `depth` levels deep."""
    app = pilot.app
    problems = fit_problems(app)
    assert problems == [], f"{type(screen).__name__}: {problems}\n{screen_text(app)}"
    checked.append(type(screen).__name__)
    done: set[str] = set()
    # the actions with the focus where it is, then on each field, list or grid in turn
    async for _target in each_focus(pilot, screen):
        actions = [a for a in screen_actions(screen) if (a[3].id or a[3].action) not in done]
        # switching tabs (the digit keys) last: the other actions belong to the first tab
        actions.sort(key=lambda a: a[3].key.isdigit())
        for description, _keys, node, binding in actions:
            done.add(binding.id or binding.action)
            if app.screen is not screen or binding.id is None or binding.id.endswith(LEAVING):
                continue
            if binding.id not in {b.id for _d, _k, _n, b in screen_actions(screen)}:
                continue  # not available after what ran before it
            await app.run_action(binding.action, node)
            await settle(pilot)
            if app.screen is not screen and screen in app.screen_stack:
                opened = app.screen
                if type(opened).__name__ not in checked and not isinstance(opened, ModalScreen):
                    await explore(pilot, opened, checked, depth)  # a screen of its own: its dialogs too
                elif depth > 0:
                    await explore(pilot, opened, checked, depth - 1)
                else:
                    problems = fit_problems(app)
                    assert problems == [], f"{description}: {problems}\n{screen_text(app)}"
                    checked.append(type(app.screen).__name__)
                await back_to(pilot, screen)


@pytest.mark.parametrize("program_id", PROGRAM_IDS)
async def test_every_program_screen_and_its_dialogs_fit_80x24(make_app, program_id):
    """Each program screen, and every screen, dialog or form its keys open, at 80x24."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_program(pilot, program_id)
        checked: list[str] = []
        await explore(pilot, screen, checked, depth=1)
        assert len(checked) > 1, f"{program_id}: no dialog was opened"
        print(program_id, "checked:", checked)


def grids_not_filling(screen) -> list[str]:
    """The tables on the screen whose columns leave more than a tenth of their width empty."""
    from textual.widgets import DataTable

    from pupetui.widgets.paged_table import PagedTable

    loose = []
    for table in screen.query("PagedTable, DataTable"):
        if not table.display or table.region.area == 0:
            continue
        room = table.scrollable_content_region.width
        if isinstance(table, PagedTable):
            used = table.mark_width + sum(c.width + 1 for c in table.columns)
        elif isinstance(table, DataTable):
            used = sum(c.get_render_width(table) for c in table.columns.values())
        else:
            continue
        if used < 0.9 * room:
            loose.append(f"{table!r}: columns {used} of {room} cells")
    return loose


@pytest.mark.parametrize("program_id", PROGRAM_IDS)
async def test_a_larger_terminal_gives_every_program_more_room(make_app, program_id):
    """At 200x60 the main list, grid or editor is larger, and tables widen their columns."""
    areas = {}
    for size in ((80, 24), (200, 60)):
        app = make_app()
        async with app.run_test(size=size) as pilot:
            screen = await open_program(pilot, program_id)
            assert fit_problems(app) == [], screen_text(app)
            areas[size] = main_area(screen)
            if size == (200, 60):
                assert grids_not_filling(screen) == [], screen_text(app)
    assert areas[(200, 60)] >= 4 * areas[(80, 24)], areas


# -- monochrome: every state by a mark ---------------------------------------------------------


def reverse_lines(app, widget) -> set[int]:
    """The lines of `widget`, as the terminal gets them (filters applied), of which at least a
    third is in reverse video or underlined (a header line, the cursor row)."""
    region = widget.region
    lines = set()
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        if not region.y <= y < region.bottom:
            continue
        cropped = strip.crop(region.x, region.right)
        reversed_cells = sum(len(seg.text) for seg in cropped
                             if seg.style is not None and (seg.style.reverse or seg.style.underline))
        if reversed_cells * 3 >= region.width:
            lines.add(y)
    return lines


def row_count(widget) -> int:
    for name in ("row_count", "option_count", "known_rows"):
        value = getattr(widget, name, None)
        if isinstance(value, int):
            return value
    return len(getattr(widget, "items", None) or getattr(widget, "rows", None) or ())


LISTS = "PagedTable, DataTable, OptionList, RowList, ResultGrid, FieldGrid"


@pytest.mark.parametrize("program_id", PROGRAM_IDS)
async def test_monochrome_shows_the_selected_row_by_reverse_video(make_app, program_id, monkeypatch):
    """NO_COLOR (no colours at all, as on a monochrome terminal): in every list and grid of
    every program screen the cursor row is in reverse video, not told apart by colour alone."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(theme="")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_program(pilot, program_id)
        assert app.no_color and app.theme == "ansi-dark"
        checked = 0
        for widget in list(screen.query(LISTS)):
            if not widget.focusable or row_count(widget) < 2 or widget.region.height < 3:
                continue
            widget.focus()
            await settle(pilot)
            before = reverse_lines(app, widget)
            await pilot.press("down")
            await settle(pilot)
            after = reverse_lines(app, widget)
            # the cursor row, and only it, is in reverse video (underlined in an option list):
            # the mark moves with the cursor
            assert len(before - after) == 1 and len(after - before) == 1, f"{widget!r}\n{screen_text(app)}"
            checked += 1
        if program_id not in ("sql", "calendar"):  # an editor and an empty grid; a month (below)
            assert checked, f"{program_id}: no list with rows"


async def test_monochrome_marks_the_states(make_app, monkeypatch):
    """Overdue and coming reminders, today, the selected day and done entries in the calendar,
    prospects in the customer list, errors in a form: each by a
    character on the screen, which needs no colour."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(theme="")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_program(pilot, "reminders")
        rows = screen.rows
        assert any(r.overdue for r in rows) and any(not r.overdue for r in rows)
        lines = screen_text(app).splitlines()
        for row in rows[:5]:
            line = next(line for line in lines if i18n.format_datetime(row.due) in line)
            assert line.split()[0] == ("!" if row.overdue else "·"), line
        # the calendar: today "*", the selected day in brackets, done entries "✓"
        app.pop_screen()
        screen = await open_program(pilot, "calendar")
        import datetime as dt

        today = dt.date.today()
        text = screen_text(app)
        assert f"[{today.day:>2}]*" in text
        if today.day > 1:
            assert "✓" in text  # the demo's past entries are done (kuittaus 'K')
        step, other = ("left", today - dt.timedelta(days=1)) if today.day > 1 else ("right", today + dt.timedelta(days=1))
        await pilot.press(step)
        await settle(pilot)
        text = screen_text(app)
        assert f"[{other.day:>2}]" in text and f" {today.day:>2} *" in text
        # an error in a form: "go to a date" with a date that is none
        await pilot.press("g")
        await settle(pilot)
        await pilot.press(*"31.02.x", "enter")
        await settle(pilot)
        assert any(line.strip(" │▊▎").startswith("! ") for line in screen_text(app).splitlines()), screen_text(app)
        app.pop_screen()
        app.pop_screen()
        # prospects in the customer list
        screen = await open_program(pilot, "customers")
        text = screen_text(app)
        assert "◇ prospect" in text
        await pilot.press(*"oy")  # some prospects among the first rows
        await settle(pilot)
        assert any(line.lstrip().startswith("◇ ") for line in screen_text(app).splitlines()[4:20]), screen_text(app)


# -- start-up: only the driver the database needs -------------------------------------------------

DRIVER_CHECK = """
import sys
from pupetui import cli
code = cli.main(["check", "--db", sys.argv[1]])
loaded = sorted(m for m in ("psycopg", "psycopg2", "pymysql") if m in sys.modules)
print("LOADED", ",".join(loaded) or "-", "CODE", code)
"""


def test_the_command_loads_only_the_driver_its_database_needs(database_url, backend):
    """`pupetui` imports peewee without the drivers its URL does not need (a faster start):
    each database still works through the command, with its own driver only."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", DRIVER_CHECK, database_url],
        capture_output=True, text=True, cwd=root, timeout=120,
        env={**os.environ, "PYTHONPATH": str(root), "XDG_CONFIG_HOME": str(root / ".no-config")},
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert "database:" in result.stdout and "ok: all" in result.stdout, result.stdout + result.stderr
    loaded = result.stdout.split("LOADED ")[1].split()[0]
    expected = {"mariadb": "pymysql", "postgres": "psycopg,psycopg2"}.get(backend, "-")
    assert loaded == expected, (backend, loaded)


# -- the keys added for terminals that do not pass the handier ones -----------------------------


async def test_g_and_shift_g_go_to_the_first_and_last_row_of_a_result_grid():
    from test_query_screens import GridApp

    from pupetui.widgets.result_grid import ResultGrid

    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.query_one(ResultGrid)
        grid.start(["a", "b"])
        grid.append_rows([(f"r{r}", "x") for r in range(100)])
        grid.finish()
        await pilot.pause()
        await pilot.press("G")
        await pilot.pause()
        assert grid.cursor_row == 99 and "r99" in screen_text(app)
        await pilot.press("g")
        await pilot.pause()
        assert grid.cursor_row == 0 and "r0 " in screen_text(app)


async def test_ctrl_n_completes_a_name_in_the_sql_search(make_app):
    """Ctrl+N, beside Ctrl+Space (which some terminals keep for themselves), in the editor
    (whose own keys take F6 and F7)."""
    from pupetui.screens.sql_forms import CompletionScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_program(pilot, "sql")
        screen.editor.focus()
        await pilot.press(*"select nimi from asiak", "ctrl+n")
        await wait_for(pilot, lambda: screen.editor.text.endswith("asiakas") or isinstance(app.screen, CompletionScreen))
        if isinstance(app.screen, CompletionScreen):
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is screen)
        assert screen.editor.text.startswith("select nimi from asiakas")


@pytest.mark.parametrize("lang", ["fi", "en"])
@pytest.mark.parametrize("program_id", PROGRAM_IDS)
async def test_the_last_line_shows_f1_help_whatever_has_the_focus(make_app, program_id, lang):
    """At 80 columns, in both languages, the key bar's last key (F1 Help, which lists the rest)
    is whole on every program screen, with the focus on each of its fields, lists and grids."""
    i18n.set_language(lang)
    app = make_app(lang=lang)
    wanted = f"f1 {i18n._('Help')}"
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_program(pilot, program_id)
        async for _target in each_focus(pilot, screen):
            last = screen_text(app).splitlines()[-1]
            assert wanted in last, f"{program_id} ({lang}), focus on {app.focused!r}: {last!r}"
        assert f"^q {i18n._('Quit')}" not in last  # shown on the menu; on a program's screen it still quits:
        assert app.return_code is None
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: app.return_code == 0)
