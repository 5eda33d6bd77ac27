"""kalenteri (memos, reminders, leads, acknowledgements, calendar entries), muisti, tallennetut_parametrit."""

from __future__ import annotations

from pupetui.models.base import PupeModel
from pupetui.models.company import Audited
from pupetui.models.fields import (
    BigIntegerField,
    CharField,
    IntegerField,
    NoDateTimeField,
    TextField,
)

# kalenteri.tyyppi
MEMO = "Memo"
REMINDER = "Muistutus"
LEAD = "Lead"
ACKNOWLEDGEMENT = "Kuittaus"
RECEIVABLES_NOTE = "Myyntireskontraviesti"
CALENDAR = "kalenteri"
DELETED_PREFIX = "DELETED "

# kalenteri.kuittaus of reminders and leads
AWAITING_ACK = "K"
NO_ACK_NEEDED = "E"
ACKNOWLEDGED = ""
# kalenteri.kuittaus of calendar entries
DONE = "K"
ALL_DAY = "x"


class Activity(Audited):
    """kalenteri: one table for memos, reminders, leads and calendar entries; `tyyppi` says which."""

    group = CharField(5, column_name="konserni")
    owner = CharField(50, column_name="kuka")
    supervisor = CharField(10, column_name="myyntipaallikko")
    business_id = CharField(15, column_name="asiakas")
    contact_id = BigIntegerField(column_name="henkilo")
    method = CharField(25, column_name="tapa")
    acknowledgement = CharField(50, column_name="kuittaus")
    starts_at = NoDateTimeField(column_name="pvmalku")
    ends_at = NoDateTimeField(column_name="pvmloppu")
    kind = CharField(50, column_name="tyyppi")
    language = CharField(2, column_name="kieli")
    all_day = CharField(1, column_name="kokopaiva")
    text = TextField(column_name="kentta01")
    field_02 = TextField(column_name="kentta02")
    kilometres = TextField(column_name="kentta03")
    per_diems = TextField(column_name="kentta04")
    field_05 = TextField(column_name="kentta05")
    field_09 = TextField(column_name="kentta09")  # pupetui: the entry a memo reply answers
    customer_id = IntegerField(column_name="liitostunnus")
    order_id = IntegerField(column_name="otunnus")
    parent_id = IntegerField(column_name="perheid")

    class Meta:
        table_name = "kalenteri"
        indexes = (
            (("company", "owner", "kind", "starts_at"), False),
            (("company", "customer_id"), False),
            (("company", "kind", "starts_at"), False),
        )

    @property
    def is_deleted(self) -> bool:
        return self.kind.startswith(DELETED_PREFIX)


class SavedSearch(PupeModel):
    """muisti: saved things by `haku`; the SQL search keeps its queries here (haku 'sql-query')."""

    owner = CharField(50, column_name="kuka")
    search = CharField(20, column_name="haku")
    name = CharField(50, column_name="nimi")
    description = TextField(column_name="kuvaus")
    variable = CharField(50, column_name="var")
    # Machine data: pupetui keeps JSON (SMS journal), dates and the SQL console's SQL here, as
    # Pupesoft's muistiin() stores serialised arrays and raportit/sql-query.php the SQL it reads
    # from $_POST before the input rule runs. The name and description follow the rule.
    value = TextField(column_name="value", machine_data=True)
    is_array = CharField(1, column_name="array")
    created_by = CharField(50, column_name="laatija")
    created_at = NoDateTimeField(column_name="luontiaika")
    modified_by = CharField(50, column_name="muokannut")
    modified_at = NoDateTimeField(column_name="muokattu")

    class Meta:
        table_name = "muisti"


class SavedForm(PupeModel):
    """tallennetut_parametrit: a saved form of a program (the query generator keeps JSON here)."""

    owner = CharField(50, column_name="kuka")
    title = CharField(100, column_name="nimitys")
    application = CharField(100, column_name="sovellus")
    # Machine data: Pupesoft's tallenna_muisti() (inc/functions.inc) stores serialize($_REQUEST)
    # here through its own code, with the `"` and `;` of the format; the values inside were
    # cleaned by the input rule, so the query generator cleans each value it serialises.
    data = TextField(column_name="data", machine_data=True)
    created_by = CharField(50, column_name="laatija")
    created_at = NoDateTimeField(column_name="luontiaika")

    class Meta:
        table_name = "tallennetut_parametrit"
