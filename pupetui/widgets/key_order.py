"""Keys dealt with in the order they were typed, however fast they come.

Textual hands a key to the focused widget and takes the next key at once. A key that the widget
does not take itself (Tab, Enter in a form, ctrl+u in a field...) travels back up to the app to
find its binding, and by then the letters typed after it have already been put into the widget.
Over SSH keys arrive in bursts, so typing "matti", Enter, "salasana" on the login screen put the
first letters of the password, in clear text, into the user name field; "ctrl+u Lakeus" in a
field gave "Kakeus".

`KeysInOrder` (a mixin for the App) holds every key until the key before it has been dealt with:
a barrier message follows the key through the focused widget's queue and up to the app, then a
second one follows whatever the key's binding posted (a Submitted that moves the focus...). A key
that a priority binding takes at the app (F6 to the message field) holds the next keys until the
callbacks its action queued (a focus change) have run. Held keys then go to whatever has the
focus at that moment. A barrier that never comes back (the
widget was removed) is given up after `KEY_WAIT_LIMIT` seconds.
"""

from __future__ import annotations

from collections import deque
from itertools import count

from textual import events
from textual.message import Message
from textual.timer import Timer

KEY_WAIT_LIMIT = 0.15  # seconds


class KeyBarrier(Message, bubble=True):
    """Follows a key through the queues of the widgets it passed; back at the app it is done."""

    def __init__(self, token: int, phase: int) -> None:
        super().__init__()
        self.token = token
        self.phase = phase


class KeysInOrder:
    """Mixin for an `App`: keys reach the widgets in the order they were typed."""

    _key_tokens = count(1)

    def _keys_in_order_state(self) -> None:
        if not hasattr(self, "_held_keys"):
            self._held_keys: deque[events.Key] = deque()
            self._key_in_flight: int | None = None
            self._key_wait_timer: Timer | None = None

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key) or event.is_forwarded:
            await super().on_event(event)  # type: ignore[misc]
            return
        self._keys_in_order_state()
        if self._key_in_flight is not None:
            self._held_keys.append(event)
            return
        await self._deal_with_key(event)

    async def _deal_with_key(self, event: events.Key) -> None:
        await super().on_event(event)  # type: ignore[misc]  # priority bindings, else to the focus
        if event.is_forwarded:  # it went to a widget: wait until it has been dealt with
            self._key_in_flight = next(self._key_tokens)
            self._send_barrier(1)
            if self._key_wait_timer is not None:
                self._key_wait_timer.stop()
            self._key_wait_timer = self.set_timer(KEY_WAIT_LIMIT, self._release_held_keys)  # type: ignore[attr-defined]
        else:  # a priority binding took it: its action may have moved the focus, which happens
            # later (Widget.focus() is a callback queued on the app): the next keys wait for it
            token = self._key_in_flight = next(self._key_tokens)
            self.call_later(self._release_after_binding, token)  # type: ignore[attr-defined]

    async def _release_after_binding(self, token: int) -> None:
        if token == self._key_in_flight:
            await self._release_held_keys()

    def _send_barrier(self, phase: int) -> None:
        target = self.focused or self.screen  # type: ignore[attr-defined]
        if not target.post_message(KeyBarrier(self._key_in_flight or 0, phase)):
            self.call_later(self._release_held_keys)  # type: ignore[attr-defined]

    async def on_key_barrier(self, message: KeyBarrier) -> None:
        message.stop()
        if message.token != self._key_in_flight:
            return  # given up on already
        if message.phase == 1:  # the key is done; now what its binding posted
            self._send_barrier(2)
            return
        await self._release_held_keys()

    async def _release_held_keys(self) -> None:
        self._keys_in_order_state()
        if self._key_wait_timer is not None:
            self._key_wait_timer.stop()
            self._key_wait_timer = None
        self._key_in_flight = None
        while self._held_keys and self._key_in_flight is None:
            await self._deal_with_key(self._held_keys.popleft())
