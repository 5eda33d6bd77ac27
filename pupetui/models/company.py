"""yhtio, yhtion_parametrit, kuka, oikeu, avainsana."""

from __future__ import annotations

from pupetui.models.base import PupeModel
from pupetui.models.fields import (
    CharField,
    IntegerField,
    NoDateField,
    NoDateTimeField,
    TextField,
)


class Audited(PupeModel):
    created_by = CharField(50, column_name="laatija")
    created_at = NoDateTimeField(column_name="luontiaika")
    modified_by = CharField(50, column_name="muuttaja")
    modified_at = NoDateTimeField(column_name="muutospvm")


class Company(Audited):
    """yhtio: one company of the database."""

    group = CharField(5, column_name="konserni")
    business_id = CharField(30, column_name="ytunnus")
    name = CharField(60, column_name="nimi")
    address = CharField(30, column_name="osoite")
    postcode = CharField(15, column_name="postino")
    city = CharField(30, column_name="postitp")
    country = CharField(2, column_name="maa")
    language = CharField(2, column_name="kieli")
    currency = CharField(3, column_name="valkoodi")
    phone = CharField(25, column_name="puhelin")
    email = CharField(60, column_name="email")
    www = CharField(100, column_name="www")
    # NOT NULL without a default in Pupesoft: every insert must give them.
    fiscal_year_start = NoDateField(column_name="tilikausi_alku")
    fiscal_year_end = NoDateField(column_name="tilikausi_loppu")
    payables_period_start = NoDateField(column_name="ostoreskontrakausi_alku")
    payables_period_end = NoDateField(column_name="ostoreskontrakausi_loppu")
    receivables_period_start = NoDateField(column_name="myyntireskontrakausi_alku")
    receivables_period_end = NoDateField(column_name="myyntireskontrakausi_loppu")

    class Meta:
        table_name = "yhtio"


class CompanyParameters(Audited):
    """yhtion_parametrit: the company's settings."""

    admin_email = CharField(100, column_name="admin_email")
    mail_sender = CharField(200, column_name="postittaja_email")
    calendar_slot_minutes = CharField(2, column_name="kalenteri_aikavali")
    multi_user_calendar = CharField(1, column_name="monikayttajakalenteri")
    # '' = Pupesoft writes its automatic memos (labels printed, SMS sent), 'E' = it does not
    # (inc/yhtion_parametritrivi.inc: "Kalenterimerkintöjä EI lisätä automaattisesti")
    calendar_entries = CharField(1, column_name="kalenterimerkinnat")
    maventa_timestamp = NoDateTimeField(column_name="maventa_aikaleima")
    # customer maintenance (inc/asiakastarkista.inc, inc/asiakasrivi.inc)
    business_id_checks = CharField(1, column_name="ytunnus_tarkistukset")  # '' / 'A': Finnish customers' are checked
    customer_key = CharField(1, column_name="asiakkaan_tarkenne")  # what tells customers of one ytunnus apart
    automatic_customer_no = CharField(1, column_name="automaattinen_asiakasnumerointi")  # 'K': numbered
    customer_no_start = IntegerField(column_name="asiakasnumeroinnin_aloituskohta")

    class Meta:
        table_name = "yhtion_parametrit"

    @property
    def writes_automatic_memos(self) -> bool:
        return str(self.calendar_entries or "").strip() == ""

    @classmethod
    def automatic_memos(cls) -> bool:
        """Whether the session's company wants the memos Pupesoft writes by itself (labels
        printed, messages sent): kalenterimerkinnat '' (also with no settings row, as PHP reads
        a missing one), not 'E'."""
        params = cls.select(cls.calendar_entries).first()
        return params is None or params.writes_automatic_memos

    @property
    def slot_minutes(self) -> int:
        return 15 if str(self.calendar_slot_minutes).strip() == "15" else 30


class User(Audited):
    """kuka: a user of the company."""

    login = CharField(50, column_name="kuka")
    name = TextField(column_name="nimi")
    password_md5 = CharField(50, column_name="salasana")
    districts = TextField(column_name="piirit")
    extranet = CharField(1, column_name="extranet")
    language = CharField(2, column_name="kieli")
    salesperson_no = IntegerField(column_name="myyja")
    department = CharField(70, column_name="osasto")
    position = CharField(150, column_name="asema")
    email = CharField(50, column_name="eposti")
    mobile = CharField(30, column_name="puhno")
    session_id = CharField(32, column_name="session")
    api_key = CharField(100, column_name="api_key")
    active = IntegerField(column_name="aktiivinen", default=1)
    last_login = NoDateTimeField(column_name="lastlogin")

    class Meta:
        table_name = "kuka"
        indexes = ((("company", "login"), True),)

    @property
    def is_sales_manager(self) -> bool:
        return self.position == "MP"

    @property
    def district_list(self) -> list[str]:
        return [d.strip() for d in (self.districts or "").split(",") if d.strip()]


class Permission(Audited):
    """oikeu: the right of a user to use a program (`nimi` is its script)."""

    login = CharField(50, column_name="kuka")
    application = CharField(50, column_name="sovellus")
    script = CharField(100, column_name="nimi")
    subname = CharField(100, column_name="alanimi")
    may_update = CharField(1, column_name="paivitys")
    locked = CharField(1, column_name="lukittu")
    title = CharField(60, column_name="nimitys")
    order = IntegerField(column_name="jarjestys")
    profile = CharField(100, column_name="profiili")

    class Meta:
        table_name = "oikeu"
        indexes = ((("company", "login", "application", "script", "subname"), True),)


class Keyword(Audited):
    """avainsana: keywords by `laji` (KALETAPA, ASIAKASOSASTO, PIIRI, ...)."""

    family = IntegerField(column_name="perhe")
    language = CharField(2, column_name="kieli")
    kind = CharField(15, column_name="laji")
    visibility = CharField(1, column_name="nakyvyys")
    value = CharField(150, column_name="selite")
    text = TextField(column_name="selitetark")
    text_2 = TextField(column_name="selitetark_2")
    text_3 = TextField(column_name="selitetark_3")
    order = IntegerField(column_name="jarjestys")

    class Meta:
        table_name = "avainsana"
        indexes = ((("company", "kind", "value"), False),)


__all__ = ["Audited", "Company", "CompanyParameters", "User", "Permission", "Keyword"]
