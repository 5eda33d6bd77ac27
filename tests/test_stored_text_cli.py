"""Headless commands that write text follow Pupesoft's text rule (issue #16): a text Pupesoft
cannot store is refused with one clear line, a non-zero exit code, and nothing written."""

from __future__ import annotations

from pupetui import db
from pupetui.models import Activity, SavedSearch
from test_cli import env, run  # noqa: F401  (fixture and helper)
from test_labels import cli_url  # noqa: F401  (fixture)
from test_sms_cli import memos, sms, url  # noqa: F401  (fixture and helpers)


def count(url_: str, model) -> int:
    d = db.connect(url_)
    try:
        with db.session("acme", "anna"):
            return model.select().count()
    finally:
        db.end_session()
        d.close()


def test_labels_with_an_emoji_memo_are_refused_with_one_line_and_nothing_written(env, cli_url, tmp_path):
    out = tmp_path / "a.xlsx"
    bad = run(env, "labels", "--db", cli_url, "--user", "anna", "--memo", "Joulu 🎄", "-o", str(out))
    assert bad.returncode == 2, bad.stderr
    [line] = bad.stderr.strip().splitlines()
    assert "🎄 (CHRISTMAS TREE) cannot be stored in Pupesoft" in line and "Traceback" not in bad.stderr
    assert not out.exists()
    assert count(cli_url, Activity) == 0
    ok = run(env, "labels", "--db", cli_url, "--user", "anna", "--filter", "name=Åström 01", "--memo",
             "Kuvasto \"2027\"", "-o", str(out))
    assert ok.returncode == 0, ok.stderr
    d = db.connect(cli_url)
    with db.session("acme", "anna"):
        # as Pupesoft's input rule stores it, after Pupesoft's "<user> tulosti osoitetarrat."
        assert [a.text.splitlines()[-1] for a in Activity.select()] == ["Kuvasto 2027"]
    d.close()


def test_an_sms_whose_memo_pupesoft_cannot_store_is_refused_before_sending(env, url, sms_service):
    """Ω is a GSM-7 letter (an SMS can carry it) but not Latin-1: the customers' memos could not."""
    bad = sms(env, url, sms_service, "--filter", "city=tampere", "--text", "Hei Ω")
    assert bad.returncode == 2, bad.stderr
    [line] = bad.stderr.strip().splitlines()
    assert "Ω (GREEK CAPITAL LETTER OMEGA) cannot be stored in Pupesoft" in line
    assert sms_service.requests == []
    assert memos(url) == [] and count(url, SavedSearch) == 0
