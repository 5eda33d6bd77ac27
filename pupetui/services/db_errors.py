"""The database's errors told to a person: what `pupetui.db` raises, in a module the screens
and widgets may import (they never import pupetui.db itself: tests/test_layers.py)."""

from __future__ import annotations

import peewee


class DatabaseError(Exception):
    """The database cannot be reached or used; the message is for a person."""

    code = 1  # the command's exit code


class ConnectionProblem(DatabaseError, peewee.OperationalError):
    """A lost connection, told to a person: `str()` is a sentence in the user's language (the
    driver's own words stay in `detail`). Also a peewee OperationalError, so code that catches
    the database's errors catches these too."""

    MESSAGE = ""

    def __init__(self, detail: str = ""):
        super().__init__(detail)
        self.detail = detail

    def __str__(self) -> str:
        from pupetui.i18n import _

        return _(self.MESSAGE)


class NothingSaved(ConnectionProblem):
    """The connection was lost while a change was being written: the server rolled it back (its
    transaction died with the connection), so nothing of it was saved. Never retried here: the
    user sees it and does it again."""

    MESSAGE = "The connection to the database was lost: nothing was saved. Please try again."


class DatabaseDown(ConnectionProblem):
    """The database cannot be reached now; the next use tries again by itself."""

    MESSAGE = "The database cannot be reached. pupetui tries again at your next action."
