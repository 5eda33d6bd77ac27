"""End to end in a real terminal (tmux, 80x24): the SMS program sends a typed message to a typed
number through the SMS service on loopback, and the service gets exactly that."""

from __future__ import annotations

from pupetui import db
from pupetui.models import Permission
from test_e2e_tmux import assert_clean_exit, make_database, pupetui, tmux  # noqa: F401  (fixture)


def sms_database(tmp_path) -> str:
    """The e2e database, matti with the right to the SMS program; its URL."""
    url = make_database(tmp_path / "e2e.sqlite3")
    d = db.open_database(url)
    db.bind(d)
    try:
        with db.session("acme", "setup"):
            Permission.create(login="matti", script="crm/tekstiviestit.php", subname="")
    finally:
        d.close()
    return url


def test_send_an_sms_to_a_typed_number_in_a_real_terminal(tmux, tmp_path, sms_service):  # noqa: F811
    url = sms_database(tmp_path)
    tmux.start(
        pupetui("--db", url, "--company", "acme", "--user", "matti", "--lang", "en"),
        env={"PUPETUI_SMS__URL": sms_service.url, "PUPETUI_SMS__USER": "acme",
             "PUPETUI_SMS__PASSWORD": "salainen", "XDG_STATE_HOME": str(tmp_path / "state")},
    )
    tmux.wait_for("Main menu", "SMS")
    tmux.keys("s")
    tmux.wait_for("Recipients:", "Numbers, one a line", "0/160 characters")
    tmux.type("040 123 4567")
    tmux.wait_for("1 number(s)")
    tmux.keys("F6")
    tmux.type("Hei [b]maailma[/b] ja €")
    tmux.wait_for("23/160 characters · GSM-7 · 1 SMS")
    tmux.keys("C-s")
    tmux.wait_for("Send the message to 1 recipient(s)? That is 1 SMS (1 each,", "GSM-7).")
    tmux.keys("y")
    screen = tmux.wait_for("The batch is done.", "sent", "+358401234567")
    assert "Closed 1 sent" in screen
    assert [(r["numero"], r["viesti"], r["user"], r["pass"]) for r in sms_service.requests] == [
        ("+358401234567", "Hei [b]maailma[/b] ja €", "acme", "salainen")]
    tmux.keys("Escape")
    tmux.wait_for("Recipients:")
    tmux.keys("Escape")
    tmux.wait_for("Discard the message?")
    tmux.keys("y")
    tmux.wait_for("CRM programs")
    tmux.keys("C-q")
    assert_clean_exit(tmux)


def test_text_typed_right_after_f6_goes_into_the_message(tmux, tmp_path, sms_service):  # noqa: F811
    """F6 (a key the app takes before the focused field) moves to the message; the letters typed
    right after it, in the same burst, belong to the message, not to the numbers."""
    url = sms_database(tmp_path)
    tmux.start(pupetui("--db", url, "--company", "acme", "--user", "matti", "--lang", "en"),
               env={"PUPETUI_SMS__URL": sms_service.url, "XDG_STATE_HOME": str(tmp_path / "state")})
    tmux.wait_for("Main menu", "SMS")
    tmux.keys("s")
    tmux.wait_for("Recipients:", "Numbers, one a line", "0/160 characters")
    tmux.type("0401234567")
    tmux.wait_for("1 number(s)")
    tmux.tmux("send-keys", "-t", tmux.session, "F6", "T", "e", "s", "t", "i")  # one burst
    screen = tmux.wait_for("5/160 characters")
    assert "│ Testi" in screen and "0401234567T" not in screen, screen
    assert "1 number(s)" in screen, screen
