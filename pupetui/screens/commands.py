"""The command palette's programs: every program the user has a right to, found by its title."""

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
