"""tuote, lasku, tilausrivi: products and invoiced sales."""

from __future__ import annotations

from pupetui.models.base import PupeModel
from pupetui.models.company import Audited
from pupetui.models.fields import (
    BigIntegerField,
    CharField,
    DecimalField,
    IntegerField,
    NoDateField,
    NoDateTimeField,
    TextField,
)

# lasku.tila / alatila of an invoiced sale
INVOICED_STATES = ("L", "U")
INVOICED_SUBSTATES = ("X",)
SALES_ROW = "L"


class Product(Audited):
    """tuote."""

    product_no = CharField(60, column_name="tuoteno")
    name = CharField(100, column_name="nimitys")
    department = IntegerField(column_name="osasto")
    product_group = IntegerField(column_name="try")
    discount_group = CharField(15, column_name="aleryhma")
    unit = CharField(10, column_name="yksikko")
    status = CharField(10, column_name="status")
    sales_price = DecimalField(16, 6, column_name="myyntihinta")
    vat = DecimalField(5, 2, column_name="alv")
    # NOT NULL without a default in Pupesoft
    last_purchase_date = NoDateField(column_name="vihapvm")
    obsolete_25_date = NoDateField(column_name="epakurantti25pvm")
    obsolete_50_date = NoDateField(column_name="epakurantti50pvm")
    obsolete_75_date = NoDateField(column_name="epakurantti75pvm")
    obsolete_100_date = NoDateField(column_name="epakurantti100pvm")
    export_info = TextField(column_name="vienti", null=False)

    class Meta:
        table_name = "tuote"
        indexes = ((("company", "product_no"), True), (("company", "department", "product_group"), False))


class Invoice(Audited):
    """lasku: an order or invoice header; tila 'L' + alatila 'X' = an invoiced sale."""

    state = CharField(1, column_name="tila")
    substate = CharField(2, column_name="alatila")
    invoice_no = BigIntegerField(column_name="laskunro")
    customer_id = IntegerField(column_name="liitostunnus")
    business_id = CharField(15, column_name="ytunnus")
    name = CharField(60, column_name="nimi")
    name_extra = CharField(60, column_name="nimitark")
    address = CharField(45, column_name="osoite")
    postcode = CharField(15, column_name="postino")
    city = CharField(45, column_name="postitp")
    country = CharField(2, column_name="maa")
    currency = CharField(3, column_name="valkoodi")
    net = DecimalField(12, 2, column_name="arvo")
    total = DecimalField(12, 2, column_name="summa")
    margin = DecimalField(12, 2, column_name="kate")
    salesperson_no = IntegerField(column_name="myyja")
    district = CharField(150, column_name="piiri")
    invoice_date = NoDateField(column_name="tapvm")
    # NOT NULL without a default in Pupesoft
    invoice_sent_date = NoDateField(column_name="lapvm")
    cash_discount_date = NoDateField(column_name="kapvm")
    due_date = NoDateField(column_name="erpcm")
    original_due_date = NoDateField(column_name="olmapvm")
    delivery_date = NoDateField(column_name="toimaika")
    picking_at = NoDateTimeField(column_name="kerayspvm")
    paid_at = NoDateTimeField(column_name="maksuaika")
    dispatch_note_at = NoDateTimeField(column_name="lahetepvm")
    invoiced_at = NoDateTimeField(column_name="laskutettu")
    approval_1_at = NoDateTimeField(column_name="h1time")
    approval_2_at = NoDateTimeField(column_name="h2time")
    approval_3_at = NoDateTimeField(column_name="h3time")
    approval_4_at = NoDateTimeField(column_name="h4time")
    approval_5_at = NoDateTimeField(column_name="h5time")
    payment_date = NoDateField(column_name="mapvm")
    posted_at = NoDateTimeField(column_name="popvm")

    class Meta:
        table_name = "lasku"
        indexes = (
            (("company", "state", "customer_id", "invoice_date"), False),
            (("company", "state", "invoice_date"), False),
        )


class InvoiceRow(PupeModel):
    """tilausrivi: a row of an order or invoice; tyyppi 'L' = a sales row."""

    kind = CharField(1, column_name="tyyppi")
    invoice_id = IntegerField(column_name="otunnus")
    product_no = CharField(60, column_name="tuoteno")
    name = CharField(100, column_name="nimitys")
    department = IntegerField(column_name="osasto")
    product_group = IntegerField(column_name="try")
    quantity = DecimalField(12, 2, column_name="kpl")
    ordered_quantity = DecimalField(12, 2, column_name="tilkpl")
    unit_price = DecimalField(16, 6, column_name="hinta")
    vat = DecimalField(5, 2, column_name="alv")
    row_total = DecimalField(16, 6, column_name="rivihinta")
    margin = DecimalField(16, 6, column_name="kate")
    created_by = CharField(50, column_name="laatija")
    created_at = NoDateTimeField(column_name="laadittu")
    invoiced_by = CharField(50, column_name="laskutettu")
    invoiced_date = NoDateField(column_name="laskutettuaika")
    # NOT NULL without a default in Pupesoft
    delivery_date = NoDateField(column_name="toimaika")
    picking_date = NoDateField(column_name="kerayspvm")
    picked_at = NoDateTimeField(column_name="kerattyaika")
    delivered_at = NoDateTimeField(column_name="toimitettuaika")

    class Meta:
        table_name = "tilausrivi"
        indexes = (
            (("company", "invoice_id"), False),
            (("company", "kind", "invoiced_date"), False),
        )
