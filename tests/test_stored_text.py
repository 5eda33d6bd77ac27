"""Pupesoft's input rule for every text pupetui writes (issue #16), on every database.

Pupesoft removes `" ' < > \\ ;` from every input (`pupe_register_globals`, inc/parametrit.inc)
and trusts what it stores; its database is latin1. So pupetui stores texts as that rule leaves
them, and refuses a character the database cannot store (an emoji) with a ValidationError that
names the field, before anything is written: never a database error.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pupetui import db
from pupetui.models import Activity, Contact, Customer, Keyword, Permission, SavedForm, SavedSearch, User
from pupetui.models.activity import CALENDAR, MEMO
from pupetui.services import calendar, customer_edit, labels, memo, query_generator, reminders, sms, sms_batch
from pupetui.services import selection, stored_text
from pupetui.services.validation import ValidationError

HOSTILE = "<script>alert(1)</script> \"Hinta\"; 5\\6 'x'"
CLEAN = "scriptalert(1)/script Hinta 56 x"
EMOJI = "Kiitos 😀 kaupoista"


@pytest.fixture
def acme(database):
    with db.session("acme", "anna"):
        User.create(login="anna", name="Anna Myyjä", salesperson_no=7, position="MP")
        for script, subname in (("yllapito.php", "asiakas"), ("crm/kalenteri.php", ""), ("db_sql_query.php", ""),
                                ("crm/asiakasmemo.php", ""), ("yllapito.php", "yhteyshenkilo"),
                                ("yllapito.php", "avainsana")):
            Permission.create(login="anna", script=script, subname=subname, may_update="1")
        Keyword.create(kind="KALETAPA", value="1", text="Puhelu")
        c = Customer.create(name="Virtanen Oy", business_id="1234567-1", customer_group="3", city="Turku")
        yield c.id


def activities():
    with db.session("acme", "anna"):
        return Activity.select().count()


# -- the rule itself --------------------------------------------------------------------------------

def test_the_rule_removes_pupesofts_six_characters_and_finds_what_latin1_cannot_hold():
    assert stored_text.stored(HOSTILE) == CLEAN
    assert stored_text.stored("ä ö å € “lainaus” – ok\nrivi\t2") == "ä ö å € “lainaus” – ok\nrivi\t2"
    assert stored_text.unstorable("ä ö € Œ ™ \n\t") == []
    assert stored_text.unstorable("😀 Ω 😀 中") == ["😀", "Ω", "中"]
    with pytest.raises(ValidationError) as refused:
        stored_text.check(EMOJI, "text")
    assert refused.value.field == "text" and "😀" in str(refused.value) and "GRINNING FACE" in str(refused.value)
    assert stored_text.note("a<b") == 'Pupesoft removes " \' < > \\ ; — will be stored as: ab'
    assert stored_text.note("ab") == ""


# -- every write path -------------------------------------------------------------------------------

def test_a_memo_entry_reply_edit_and_acknowledgement_are_stored_as_pupesofts_rule_leaves_them(acme):
    with db.session("acme", "anna"):
        eid = memo.add_entry(acme, memo.NewEntry(text=HOSTILE, method="Puhelu"))
        assert Activity.get_by_id(eid).text == CLEAN
        reply = memo.add_entry(acme, memo.NewEntry(text="vastaus; <b>", parent_id=eid))
        assert Activity.get_by_id(reply).text == "vastaus b"
        memo.edit_entry(acme, reply, "korjattu 'teksti'")
        assert Activity.get_by_id(reply).text == "korjattu teksti"
        rid = memo.add_entry(acme, memo.NewEntry(kind=memo.REMINDER, text="Soita \"heti\"", owner="anna"))
        assert Activity.get_by_id(rid).text == "Soita heti"
        kid = memo.acknowledge(rid, "Soitettu <i>")
        assert Activity.get_by_id(kid).text == "Anna Myyjä kuittasi: Soitettu i"
        lid = memo.add_entry(acme, memo.NewEntry(kind=memo.LEAD, text="Iso > pieni", owner="anna"))
        assert Activity.get_by_id(lid).text == "Iso  pieni"


@pytest.mark.parametrize("kind", [memo.MEMO, memo.REMINDER, memo.LEAD])
def test_an_emoji_in_a_memo_entry_is_refused_naming_the_text_and_nothing_is_written(acme, kind):
    with db.session("acme", "anna"):
        with pytest.raises(ValidationError) as refused:
            memo.add_entry(acme, memo.NewEntry(kind=kind, text=EMOJI, owner="anna"))
        assert refused.value.field == "text" and "😀" in str(refused.value)
        assert "cannot be stored" in str(refused.value)
    assert activities() == 0


def test_an_emoji_in_an_edit_or_an_acknowledgement_is_refused_and_the_row_is_kept(acme):
    with db.session("acme", "anna"):
        rid = memo.add_entry(acme, memo.NewEntry(kind=memo.REMINDER, text="Soita", owner="anna"))
        for act in (lambda: memo.edit_entry(acme, rid, EMOJI), lambda: memo.acknowledge(rid, EMOJI)):
            with pytest.raises(ValidationError) as refused:
                act()
            assert refused.value.field == "text"
        row = Activity.get_by_id(rid)
        assert (row.text, row.acknowledgement) == ("Soita", "K")
    assert activities() == 1


def test_contacts_are_stored_by_the_rule_and_an_emoji_names_its_field(acme):
    with db.session("acme", "anna"):
        cid = memo.save_contact(acme, {"name": "Liisa \"Lii\" O'Neil", "title": "<b>Johtaja</b>", "facts": "a;b"})
        c = Contact.get_by_id(cid)
        assert (c.name, c.title, c.facts) == ("Liisa Lii ONeil", "bJohtaja/b", "ab")
        with pytest.raises(ValidationError) as refused:
            memo.save_contact(acme, {"name": "Liisa", "role": "Pomo 👑"}, contact_id=cid)
        assert refused.value.field == "role"
        assert Contact.get_by_id(cid).role == ""


def test_a_customer_is_stored_by_the_rule_and_every_unstorable_field_is_named(acme):
    with db.session("acme", "anna"):
        form = customer_edit.CustomerForm(name="O'Brien & \"Sons\" Oy", address="Katu 1; B", city="Turku",
                                          facts="<script>x</script>", business_id="1234567-1", currency="EUR")
        new = customer_edit.save(form)
        c = Customer.get_by_id(new)
        assert (c.name, c.address, c.facts) == ("OBrien & Sons Oy", "Katu 1 B", "scriptx/script")
        bad = customer_edit.CustomerForm(name="Hymy 😀 Oy", city="Ωmega", business_id="1234567-1")
        result = customer_edit.check(bad)
        assert {e.field for e in result.errors} >= {"name", "city"}
        with pytest.raises(ValidationError):
            customer_edit.save(bad, new)
        assert Customer.get_by_id(new).name == "OBrien & Sons Oy"
        # addresses separated by ";" are not stored glued together: Pupesoft removes the ";"
        with pytest.raises(ValidationError, match="with a comma") as refused:
            customer_edit.save(customer_edit.CustomerForm(name="X", email="a@x.fi;b@y.fi", business_id="12345671",
                                                          currency="EUR"), new)
        assert refused.value.field == "email"
        assert customer_edit.save(customer_edit.CustomerForm(name="X", email="a@x.fi, b@y.fi", business_id="12345671",
                                                             currency="EUR"), new) == new
        assert Customer.get_by_id(new).email == "a@x.fi, b@y.fi"
        with pytest.raises(ValidationError, match="with a comma"):
            memo.save_contact(new, {"name": "Y", "email": "a@x.fi; b@y.fi"})


def test_calendar_entries_and_types_are_stored_by_the_rule_and_an_emoji_is_refused(acme):
    day = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    with db.session("acme", "anna"):
        tid = calendar.save_entry_type("Käynti \"paikan päällä\"", "#00aa00")
        assert Keyword.get_by_id(tid).text == "Käynti paikan päällä"
        eid = calendar.save(calendar.EntryForm(start_date=day, start_time="10:00", end_time="11:00", type="Puhelu",
                                               comment=HOSTILE))
        assert Activity.get_by_id(eid).text == CLEAN
        for act, field in ((lambda: calendar.save(calendar.EntryForm(start_date=day, start_time="10:00", end_time="11:00",
                                                                    type="Puhelu", comment=EMOJI)), "comment"),
                           (lambda: calendar.save_entry_type("Juhla 🎉"), "text")):
            with pytest.raises(ValidationError) as refused:
                act()
            assert refused.value.field == field
        assert Activity.select().where(Activity.kind == CALENDAR).count() == 1
        assert Keyword.select().where(Keyword.kind == "KALETAPA").count() == 2


def test_a_reminder_without_a_customer_is_stored_by_the_rule_and_an_emoji_is_refused(acme):
    with db.session("acme", "anna"):
        result = reminders.add(reminders.NewReminder(text="Tilaa <kahvia>; heti"))
        assert Activity.get_by_id(result.id).text == "Tilaa kahvia heti"
        with pytest.raises(ValidationError) as refused:
            reminders.add(reminders.NewReminder(text=EMOJI))
        assert refused.value.field == "text"
    assert activities() == 1


def test_label_memos_are_stored_by_the_rule_and_an_emoji_is_refused_before_the_file(acme, tmp_path):
    with db.session("acme", "anna"):
        query = selection.SelectionQuery(text_filters=(("customer_group", "3"),))
        labels.print_labels(tmp_path / "a.pdf", labels.LabelJob(query, memo_text="Joulukortti \"2026\""))
        [row] = Activity.select().where(Activity.kind == MEMO)
        assert row.text.splitlines()[-1] == "Joulukortti 2026"  # after Pupesoft's "<user> tulosti osoitetarrat."
        with pytest.raises(labels.LabelError, match="cannot be stored"):
            labels.print_labels(tmp_path / "b.pdf", labels.LabelJob(query, memo_text=EMOJI))
        assert not (tmp_path / "b.pdf").exists()
    assert activities() == 1


def test_an_sms_whose_memo_pupesoft_cannot_store_is_refused_before_anything_is_sent(acme):
    with db.session("acme", "anna"):
        with pytest.raises(sms.SmsError, match="cannot be stored"):
            sms_batch.plan(sms_batch.typed_recipients("0401234567"), EMOJI)
        assert sms_batch.memo_text("+358401234567", "ok") == "Tekstiviesti +358401234567: ok"
        assert SavedSearch.select().count() == 0


def test_a_saved_query_keeps_its_name_and_values_as_pupesofts_rule_leaves_them(acme):
    F = query_generator.FieldSpec
    spec = query_generator.QuerySpec("asiakas", [F("nimi", show=True), F("postitp", operator="=", value="Tur'ku;")])
    with db.session("acme", "anna"):
        qid = query_generator.save("Asiakkaat \"Turku\"", spec)
        row = SavedForm.get_by_id(qid)
        assert row.title == "Asiakkaat Turku"
        assert "Tur'ku" not in row.data and "Turku" in row.data
        with pytest.raises(ValidationError) as refused:
            query_generator.save("Hymy 😀", spec)
        assert refused.value.field == "name"
        bad = query_generator.QuerySpec("asiakas", [F("nimi", operator="=", value=EMOJI)])
        with pytest.raises(ValidationError) as refused:
            query_generator.save("Hymy", bad)
        assert refused.value.field == "nimi"
        assert SavedForm.select().count() == 1


# -- the backstop in the models ----------------------------------------------------------------------

def test_no_write_path_bypasses_the_rule_every_model_write_is_checked(acme):
    with db.session("acme", "anna"):
        c = Customer.create(name="A\"B")
        assert c.name == "AB" and Customer.get_by_id(c.id).name == "AB"
        Customer.update(city="<x>").where(Customer.id == c.id).execute()
        Customer.insert_many([{"name": "C;D"}]).execute()
        Customer.insert_many([("E'F",)], fields=[Customer.name]).execute()
        assert {x.name for x in Customer.select()} >= {"AB", "CD", "EF"}
        assert Customer.get_by_id(c.id).city == "x"
        c.name = "Hymy 😀"
        with pytest.raises(ValidationError) as refused:
            c.save()
        assert refused.value.field == "name"
        with pytest.raises(ValidationError):
            Customer.insert_many([{"name": "😀"}]).execute()
        assert Customer.get_by_id(c.id).name == "AB"


def test_machine_data_keeps_its_format(acme):
    """tallennetut_parametrit.data is serialised by Pupesoft's own tallenna_muisti() (with " and ;),
    muisti.value keeps JSON and SQL: both exempt, written as given."""
    data = json.dumps({"a": "b;c"})
    with db.session("acme", "anna"):
        f = SavedForm.create(title="x", data=data)
        s = SavedSearch.create(name="q", value="SELECT 'a'; -- <b>")
        assert SavedForm.get_by_id(f.id).data == data
        assert SavedSearch.get_by_id(s.id).value == "SELECT 'a'; -- <b>"
