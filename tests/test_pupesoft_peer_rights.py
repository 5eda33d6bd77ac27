"""Pupesoft as the test peer for rights and customer rows (issue #16, "Rights as Pupesoft grants them").

- Rights granted with Pupesoft's own screens, as an administrator does: a menu entry made in
  "Menujen ylläpito" (menut.php), granted in "Käyttöoikeudet" (suoja.php), read by pupetui.
- The customer maintenance's update flag: without it pupetui opens read-only and refuses to save,
  and Pupesoft's yllapito.php refuses the same user.
- Customer rows pupetui saves pass Pupesoft's own maintenance (inc/asiakastarkista.inc): the
  Finnish business ID as Pupesoft stores it, the currency, the automatic customer number.
"""

from __future__ import annotations

import peewee
import pytest

from pupetui import db
from pupetui.models import CompanyParameters, Customer, Permission, User, now
from pupetui.services import auth, customer_edit, programs
from pupesoft import (  # noqa: F401 - the fixtures
    COMPANY,
    USER,
    PupesoftBrowser,
    browser,
    customer,
    md5,
    peer,
)

ADMIN, ADMIN_PASSWORD = "paakayttaja", "Admin-Salasana-1"
APPLICATION = "Asiakkuudenhallinta"


@pytest.fixture(scope="module", autouse=True)
def currencies(peer):
    """The company's currencies (valuu) and the countries (maat) that Pupesoft's customer
    maintenance offers in its selects, as an installation has them."""
    with db.session(COMPANY, USER):
        maat = peewee.Table("maat", ("koodi", "nimi")).bind(db.database)
        for code, name in (("FI", "Suomi"), ("SE", "Ruotsi")):
            maat.insert(koodi=code, nimi=name).execute()
        valuu = peewee.Table("valuu", ("yhtio", "nimi", "jarjestys", "laatija", "luontiaika", "muutospvm"))
        valuu = valuu.bind(db.database)
        for order, name in enumerate(("EUR", "SEK"), start=1):
            valuu.insert(yhtio=COMPANY, nimi=name, jarjestys=order, laatija=USER, luontiaika=now(),
                         muutospvm=now()).execute()


@pytest.fixture(scope="module")
def admin(peer):
    """Pupesoft's administrator, with the right to its menu maintenance and user-rights screen,
    logged in to Pupesoft; and the users the administrator grants rights to."""
    _, server = peer
    with db.session(COMPANY, ADMIN):
        User.create(login=ADMIN, name="Pää Käyttäjä", password_md5=md5(ADMIN_PASSWORD), language="fi")
        for login, name in (("sanna", "Sanna Sihteeri"), ("lukija", "Lauri Lukija"), ("alias", "Aila Alias")):
            User.create(login=login, name=name, password_md5=md5(login + "-Salasana-1"), language="fi")
        for script in ("menut.php", "suoja.php"):
            Permission.create(login=ADMIN, application="Järjestelmä", script=script, may_update="1",
                              title=script, order=900)
    b = PupesoftBrowser(server)
    b.login(ADMIN, ADMIN_PASSWORD, COMPANY)
    return b


def _user_id(login: str) -> int:
    with db.session(COMPANY, ADMIN):
        return User.get(User.login == login).id


def add_menu_entry(admin: PupesoftBrowser, script: str, subname: str, title: str, *, hidden: bool) -> None:
    """A menu entry made as an administrator makes one in Pupesoft's "Menujen ylläpito"."""
    page = admin.get("menut.php", {"tee": "MUUTA", "sovellus": APPLICATION, "yht": COMPANY})
    form = page.form_with("tee", "PAIVITA")
    fields = {**form["fields"], "sove": APPLICATION, "nimi": script, "alanimi": subname, "nimitys": title,
              "jarjestys": "900", "jarjestys2": "0"}
    if hidden:
        fields["hidden"] = "H"  # "Piilossa": granted, but not in Pupesoft's own menu
    page = admin.post("menut.php", fields)
    assert "1 riviä lisätty!" in page.text


def grant(admin: PupesoftBrowser, login: str, script: str, subname: str, *, update: bool) -> None:
    """Tick "Käyttö" (and "Päivitys") of a menu entry for a user in Pupesoft's "Käyttöoikeudet"."""
    page = admin.get("suoja.php", {"selkuka": _user_id(login), "sovellus": APPLICATION})
    form = page.form_with("update", "totta")
    row = f"{script}#{subname}#{APPLICATION}"
    assert row in page.html, f"the user-rights screen does not offer {row}"
    data = list(form["fields"].items()) + [("valittu[]", row)] + ([("paivitys[]", row)] if update else [])
    # A browser sends no paivitys[] / lukot[] when no box of that column is ticked; PHP 8 then
    # stops at count(null) in suoja.php (lines 79 and 100; PHP 5 and 7 counted 0 and went on).
    # An empty entry matches no right, so it keeps PHP 7's outcome without the fatal error.
    data += [("lukot[]", "")] + ([] if update else [("paivitys[]", "")])
    page = admin.post("suoja.php", data)
    assert "Käyttöoikeudet päivitetty!" in page.text


def login_as(peer, login: str) -> PupesoftBrowser:
    b = PupesoftBrowser(peer[1])
    b.login(login, login + "-Salasana-1", COMPANY)
    return b


def maintenance_form(browser: PupesoftBrowser, customer_id: int, toim: str = "asiakas"):
    page = browser.get("yllapito.php", {"toim": toim, "tunnus": customer_id})
    return page, page.form_with("upd", "1")


def post_maintenance(browser: PupesoftBrowser, form: dict, **changes: str):
    """Pupesoft's customer maintenance form posted back: checked (asiakastarkista) and saved.

    Without the save button's name: with it Pupesoft goes on to its customer list, which stops on
    PHP 7.1 and later at yllapito.php:1790 ($haku = "" and then $haku[$i] = ""); without it the
    same save shows the form again, with each refusal beside its field."""
    return browser.post("yllapito.php", {**form["fields"], **changes})


def field_named_by_value(form: dict, value: str) -> str:
    [name] = [k for k, v in form["fields"].items() if k.startswith("t[") and v == value]
    return name


PUPESOFT_REFUSALS = ("Jossain oli jokin virhe", "Virheellinen y-tunnus", "Y-tunnus puuttuu", "Tieto puuttuu")


# -- the SMS right and sub-names, as Pupesoft's user-rights screen grants them --------------------

def test_the_sms_right_is_granted_with_pupesofts_menu_and_user_rights_screens(peer, admin):
    """Pupesoft has no SMS page of its own: the administrator adds pupetui's as a hidden menu entry
    and grants it like any program; pupetui then lists the SMS program for the user."""
    with db.session(COMPANY, "sanna"):
        assert programs.SMS not in auth.allowed_programs("sanna")
    add_menu_entry(admin, programs.SMS.script, "", "Tekstiviestit (pupetui)", hidden=True)
    grant(admin, "sanna", programs.SMS.script, "", update=False)
    with db.session(COMPANY, "sanna"):
        [row] = Permission.select().where((Permission.login == "sanna") & (Permission.script == programs.SMS.script))
        assert (row.application, row.subname, row.title, row.created_by) == (
            APPLICATION, "", "Tekstiviestit (pupetui)", ADMIN)
        assert auth.may_use(programs.SMS, "sanna")
        assert programs.SMS in auth.allowed_programs("sanna")
        # hidden ("Piilossa"): Pupesoft's own menu (indexvas.php lists hidden = '' only) does not
        # link to a page Pupesoft does not have. (indexvas.php itself stops on PHP 8 at
        # @file('') of the company's empty logo, so the row is read here.)
        [(hidden,)] = db.database.execute_sql(
            "SELECT hidden FROM oikeu WHERE yhtio = %s AND kuka = %s AND nimi = %s",
            (COMPANY, "sanna", programs.SMS.script)).fetchall()
        assert hidden == "H"


def test_a_sub_name_right_written_by_pupesofts_user_rights_screen_is_accepted_by_pupetui(peer, admin):
    """Customer maintenance with an alias set (alanimi 'asiakas!!!MYYNTI'), granted with the update
    flag on Pupesoft's screen: pupetui lets the user save customers; Pupesoft opens its form."""
    add_menu_entry(admin, "yllapito.php", "asiakas!!!MYYNTI", "Asiakkaat (myynti)", hidden=False)
    grant(admin, "alias", "yllapito.php", "asiakas!!!MYYNTI", update=True)
    with db.session(COMPANY, "alias"):
        assert customer_edit.may_edit() and customer_edit.may_view()
        saved = customer_edit.save(customer_edit.CustomerForm(name="Alias Oy", business_id="2345678-0",
                                                              country="FI", currency="EUR"))
    alias = login_as(peer, "alias")
    page, form = maintenance_form(alias, saved, toim="asiakas!!!MYYNTI")
    assert "kielletty" not in page.text and "Alias Oy" in form["fields"].values()


# -- the update flag -----------------------------------------------------------------------------

def test_without_the_update_flag_neither_pupetui_nor_pupesoft_saves_the_customer(peer, admin, customer):
    add_menu_entry(admin, "yllapito.php", "asiakas", "Asiakkaat", hidden=False)
    grant(admin, "lukija", "yllapito.php", "asiakas", update=False)
    with db.session(COMPANY, "lukija"):
        assert customer_edit.may_view() and not customer_edit.may_edit()
        form = customer_edit.load_for_editing(customer)
        assert form.name == "Kärkkäinen Ky"  # opens, read-only
        form.name = "Lukijan muutos Ky"
        with pytest.raises(auth.AccessDenied, match="update flag"):
            customer_edit.save(form, customer)
    lukija = login_as(peer, "lukija")
    page, pupe_form = maintenance_form(lukija, customer)
    assert "Sinulla ei ole oikeuksia päivittää tätä tietoa" in page.text  # Pupesoft opens it read-only too
    name = field_named_by_value(pupe_form, "Kärkkäinen Ky")
    page = post_maintenance(lukija, pupe_form, **{name: "Lukijan muutos Ky"})
    assert "Sinulla ei ole oikeutta muuttaa tätä tietoa" in page.text
    with db.session(COMPANY, USER):
        assert Customer.get_by_id(customer).name == "Kärkkäinen Ky"


# -- customer rows as Pupesoft's maintenance requires them ------------------------------------------

def test_a_finnish_business_id_saved_in_pupetui_passes_pupesofts_maintenance(peer, browser):
    with db.session(COMPANY, USER):
        form = customer_edit.new_form()
        assert form.currency == "EUR"  # the company's
        form.name, form.country, form.business_id = "Välilyönti Oy", "FI", " 0737546 2 "
        result = customer_edit.check(form)
        assert result.ok and result.stored == {"business_id": "07375462"}  # shown before it is stored
        saved = customer_edit.save(form)
        row = Customer.get_by_id(saved)
        assert (row.business_id, row.currency) == ("07375462", "EUR")
    page, pupe_form = maintenance_form(browser, saved)
    ytunnus = field_named_by_value(pupe_form, "07375462")
    page = post_maintenance(browser, pupe_form)
    assert not [r for r in PUPESOFT_REFUSALS if r in page.text], page.text[:2000]
    with db.session(COMPANY, USER):
        row = Customer.get_by_id(saved)
        assert (row.business_id, row.name, row.country, row.currency, row.modified_by) == (
            "07375462", "Välilyönti Oy", "FI", "EUR", USER)
    # Pupesoft itself stores the ID typed with a dash as pupetui does
    page, pupe_form = maintenance_form(browser, saved)
    post_maintenance(browser, pupe_form, **{ytunnus: "0737546-2"})
    with db.session(COMPANY, USER):
        assert Customer.get_by_id(saved).business_id == "07375462"


def test_an_invalid_finnish_business_id_is_refused_by_both(peer, browser, customer):
    with db.session(COMPANY, USER):
        form = customer_edit.load_for_editing(customer)
        form.business_id = "7654321-3"
        result = customer_edit.check(form, customer)
        assert [e.field for e in result.errors] == ["business_id"]
        assert "not a valid Finnish business ID" in str(result.errors[0])
        with pytest.raises(Exception):
            customer_edit.save(form, customer)
        stored = Customer.get_by_id(customer).business_id
    page, pupe_form = maintenance_form(browser, customer)
    ytunnus = field_named_by_value(pupe_form, stored)
    page = post_maintenance(browser, pupe_form, **{ytunnus: "7654321-3"})
    assert "Virheellinen y-tunnus" in page.text
    with db.session(COMPANY, USER):
        assert Customer.get_by_id(customer).business_id == stored


def test_the_currency_pupesoft_requires(peer, browser, customer):
    with db.session(COMPANY, USER):
        form = customer_edit.load_for_editing(customer)
        form.currency = ""
        assert [e.field for e in customer_edit.check(form, customer).errors] == ["currency"]
        form.currency = "USD"  # not among the company's: Pupesoft's form does not offer it
        [error] = customer_edit.check(form, customer).errors
        assert error.field == "currency" and "EUR, SEK" in str(error)
        stored = Customer.get_by_id(customer).currency
    assert stored == "EUR"
    page, pupe_form = maintenance_form(browser, customer)
    valkoodi = field_named_by_value(pupe_form, "EUR")
    page = post_maintenance(browser, pupe_form, **{valkoodi: ""})
    assert "Tieto puuttuu" in page.text  # Pupesoft refuses it the same


def test_the_automatic_customer_number_is_the_one_pupesoft_gives(peer, browser):
    with db.session(COMPANY, USER):
        CompanyParameters.update(automatic_customer_no="K", customer_no_start=5000).execute()
        Customer.create(name="Numeroitu Oy", business_id="12345671", country="FI", currency="EUR",
                        customer_no="5007")
        Customer.create(name="Sekalainen Oy", business_id="12345671", country="SE", currency="EUR",
                        customer_no="A-99")
    try:
        page = browser.get("yllapito.php", {"toim": "asiakas", "uusi": "1"})
        offered = page.form_with("upd", "1")["fields"]
        assert "5008" in offered.values()  # Pupesoft's form offers the next number
        with db.session(COMPANY, USER):
            assert customer_edit.new_form().customer_no == "5008"
            saved = customer_edit.save(customer_edit.CustomerForm(
                name="Uusi Numerolla Oy", business_id="4567890-7", country="FI", currency="EUR"))
            assert Customer.get_by_id(saved).customer_no == "5008"
        page = browser.get("yllapito.php", {"toim": "asiakas", "uusi": "1"})
        assert "5009" in page.form_with("upd", "1")["fields"].values()
        with db.session(COMPANY, USER):
            assert customer_edit.new_form().customer_no == "5009"
    finally:
        with db.session(COMPANY, USER):
            CompanyParameters.update(automatic_customer_no="", customer_no_start=0).execute()
