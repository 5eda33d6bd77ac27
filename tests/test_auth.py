"""Logging in with Pupesoft's users (kuka) and using programs by Pupesoft's rights (oikeu)."""

from __future__ import annotations

import hashlib
import time

import pytest

from pupetui import db
from pupetui.models import Permission, User
from pupetui.services import auth, programs

A = "acme"
B = "beta"


def md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


@pytest.fixture
def users(database):
    with db.session(A, "admin"):
        User.create(login="anna", name="Anna Äijälä", password_md5=md5("Sala-sana äö"), active=1)
        User.create(login="passive", name="Entinen Työntekijä", password_md5=md5("salasana"), active=0)
        User.create(login="customer", name="Asiakas Oy", password_md5=md5("salasana"), extranet="X")
        User.create(login="nopass", name="Ei Salasanaa", password_md5="")
        User.create(login="upper", name="Iso Kirjain", password_md5=md5("abc").upper())
    with db.session(B, "admin"):
        User.create(login="bob", name="Bob Beta", password_md5=md5("bobin salasana"))
    db.end_session()
    return database


def test_right_password_logs_in_and_starts_the_session(users):
    user = auth.login(A, "anna", "Sala-sana äö", mode="password", delay=0)
    assert user.login == "anna" and user.name == "Anna Äijälä"
    assert db.current() == db.Session(A, "anna")


def test_md5_in_capitals_is_accepted(users):
    assert auth.login(A, "upper", "abc", mode="password", delay=0).login == "upper"


REFUSED = [
    pytest.param("anna", "väärä", id="wrong-password"),
    pytest.param("anna", "sala-sana äö", id="password-in-wrong-case"),
    pytest.param("anna", "", id="empty-password"),
    pytest.param("nobody", "Sala-sana äö", id="unknown-user"),
    pytest.param("passive", "salasana", id="inactive-user"),
    pytest.param("customer", "salasana", id="extranet-user"),
    pytest.param("nopass", "", id="user-without-password"),
    pytest.param("bob", "bobin salasana", id="user-of-another-company"),
]


@pytest.mark.parametrize("login_name,password", REFUSED)
def test_refusals_all_say_the_same(users, login_name, password):
    with pytest.raises(auth.LoginFailed) as info:
        auth.login(A, login_name, password, mode="password", delay=0)
    assert str(info.value) == auth.LOGIN_REFUSED
    assert not db.has_session()


def test_refusal_waits_the_delay(users):
    for login_name, password in (("anna", "väärä"), ("nobody", "x"), ("passive", "salasana")):
        started = time.monotonic()
        with pytest.raises(auth.LoginFailed):
            auth.login(A, login_name, password, mode="password", delay=0.2)
        assert time.monotonic() - started >= 0.2, login_name


def test_success_does_not_wait(users):
    started = time.monotonic()
    auth.login(A, "anna", "Sala-sana äö", mode="password", delay=5)
    assert time.monotonic() - started < 4


def test_mode_none_trusts_the_os_login_but_still_needs_an_active_user(users):
    assert auth.login(A, "anna", None, mode="none", delay=0).login == "anna"
    db.end_session()
    for login_name in ("nobody", "passive", "customer", "bob"):
        with pytest.raises(auth.LoginFailed) as info:
            auth.login(A, login_name, None, mode="none", delay=0)
        assert str(info.value) == auth.LOGIN_REFUSED
        assert not db.has_session()


# -- rights --------------------------------------------------------------------


def _grant(login_name, script, subname="", may_update="", company=A):
    with db.session(company, "admin"):
        Permission.create(login=login_name, script=script, subname=subname, may_update=may_update)


@pytest.fixture
def rights(users):
    _grant("anna", "crm/asiakaslista.php", may_update="1")
    _grant("anna", "pupesoft/crm/kalenteri.php")
    _grant("anna", "raportit/sql-query.php", "SUPER")
    _grant("anna", "raportit/sql-query.php", "")
    _grant("anna", "yllapito.php", "tuote", may_update="1")
    _grant("reader", "raportit/sql-query.php", "READ")
    _grant("reader", "crm/asiakasmemo.php")
    _grant("editor", "yllapito.php", "asiakas", may_update="1")
    # rights in another company do not count in company A
    _grant("anna", "crm/tarrat.php", company=B)
    _grant("anna", "crm/kuittaamattomat.php", company=B)
    db.start_session(A, "anna")
    return users


def test_may_use_by_script_name(rights):
    assert auth.may_use("customers")
    assert auth.may_use(programs.CUSTOMERS, "anna")
    # a path prefix in oikeu.nimi still matches (Pupesoft uses LIKE '%script')
    assert auth.may_use("calendar")
    assert not auth.may_use("memo")
    assert auth.may_use("memo", "reader")
    assert not auth.may_use("customers", "reader")


def test_right_in_another_company_does_not_count(rights):
    assert not auth.may_use("labels")
    assert not auth.may_use("reminders")
    with db.session(B, "anna"):
        assert auth.may_use("labels")
        assert not auth.may_use("customers")


def test_allowed_programs_in_menu_order(rights):
    assert [p.id for p in auth.allowed_programs()] == ["customers", "calendar", "sql"]
    assert [p.id for p in auth.allowed_programs("reader")] == ["memo", "sql"]
    assert auth.allowed_programs("nobody") == []


def test_sql_search_levels(rights):
    assert auth.subnames("sql") == {"", "SUPER"}
    assert auth.subnames("sql", "reader") == {"READ"}
    assert auth.may_use("sql", "reader")
    assert auth.subnames("sql", "editor") == set()
    assert not auth.may_use("sql", "editor")


def test_may_update(rights):
    assert auth.may_update("customers")
    assert not auth.may_update("calendar")
    assert not auth.may_update("memo", "reader")


def test_customer_edit_needs_yllapito_asiakas(rights):
    # yllapito.php with another alanimi (tuote) is not the right to edit customers
    assert not auth.may_use("customer_edit")
    assert auth.may_use("customer_edit", "editor")
    assert auth.may_update("customer_edit", "editor")


def test_require_refuses_with_a_plain_message(rights):
    auth.require("customers")
    with pytest.raises(auth.AccessDenied) as info:
        auth.require("labels")
    assert "anna" in str(info.value) and "crm/tarrat.php" in str(info.value)


def test_script_name_must_end_the_right_not_just_appear_in_it(rights):
    # a right to 'crm/asiakaslista.php.bak' or 'xcrm/kalenteri.php2' is not a right to the program
    _grant("odd", "crm/asiakaslista.php.bak")
    _grant("odd", "crm/kalenteri.php2")
    assert auth.allowed_programs("odd") == []


def test_maintenance_rights_as_pupesoft_reads_their_sub_names(users):
    """yllapito.php?toim=asiakas opens with alanimi 'asiakas', an alias set 'asiakas!!!X' (what
    Pupesoft's CRM links to) or 'asiakas&...' (tarkista_oikeus reads up to the first '&'), in
    any case; 'asiakasalennus' is another maintenance. Saving needs paivitys = '1'."""
    db.start_session(A, "anna")
    for login, subname, update in (("viewer", "asiakas", ""), ("alias", "ASIAKAS!!!MYYNTI", "1"),
                                   ("params", "asiakas&laji=H", "1"), ("other", "asiakasalennus", "1")):
        _grant(login, "yllapito.php", subname, may_update=update)
    assert auth.may_use(programs.CUSTOMER_EDIT, "viewer") and not auth.may_update(programs.CUSTOMER_EDIT, "viewer")
    assert auth.may_update(programs.CUSTOMER_EDIT, "alias")
    assert auth.may_update(programs.CUSTOMER_EDIT, "params")
    assert not auth.may_use(programs.CUSTOMER_EDIT, "other")
    with pytest.raises(auth.AccessDenied, match="update flag"):
        auth.require_update(programs.CUSTOMER_EDIT, "viewer")
    auth.require_update(programs.CUSTOMER_EDIT, "alias")
