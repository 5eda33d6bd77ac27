"""The command palette: every program the user has a right to, found by its title
(`ProgramCommands`), and every action of the screen it was opened on, found by what it does
(`ScreenCommands`: the same list F1 shows, each run as its key would run it)."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from pupetui.i18n import _


class ProgramCommands(Provider):
    """Lists nothing before login; after it, only the programs of the user's rights."""

    def _programs(self):
        info = getattr(self.app, "session_info", None)
        return info.programs if info is not None else ()

    def _help(self, program) -> str:
        key_of = getattr(self.app, "program_key", None)
        key = key_of(program.id) if key_of else program.key
        return _("Open the program ({key})").format(key=key)

    async def discover(self) -> Hits:
        for program in self._programs():
            yield DiscoveryHit(
                _(program.title_key),
                partial(self.app.open_program, program.id),
                help=self._help(program),
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for program in self._programs():
            title = _(program.title_key)
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self.app.open_program, program.id),
                    text=title,
                    help=self._help(program),
                )


class ScreenCommands(Provider):
    """The actions of the screen beneath the palette that can run now, by their description."""

    def _actions(self):
        from pupetui.screens.help import screen_actions  # the palette is open: no hurry

        return screen_actions(self.screen)

    def _run(self, action: str, node) -> None:
        self.app.call_later(self.app.run_action, action, node)

    async def discover(self) -> Hits:
        for description, keys, node, binding in self._actions():
            yield DiscoveryHit(description, partial(self._run, binding.action, node), help=keys)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, keys, node, binding in self._actions():
            score = matcher.match(description)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(description),
                    partial(self._run, binding.action, node),
                    text=description,
                    help=keys,
                )
