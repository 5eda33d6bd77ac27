"""asiakas, yhteyshenkilo, asiakasalennus, asiakashinta."""

from __future__ import annotations

from pupetui.models.company import Audited
from pupetui.models.fields import (
    BigIntegerField,
    CharField,
    DecimalField,
    IntegerField,
    NoDateField,
    TextField,
)

# asiakas.laji
COMPANY = ""
PRIVATE_PERSON = "H"
PROSPECT = "R"
DELETED = "P"


class Customer(Audited):
    """asiakas: a customer (or a prospect; laji 'P' = deleted, never listed)."""

    kind = CharField(1, column_name="laji")
    status = CharField(150, column_name="tila")
    business_id = CharField(15, column_name="ytunnus")
    edi_id = CharField(25, column_name="ovttunnus")
    delivery_edi_id = CharField(25, column_name="toim_ovttunnus")
    customer_no = CharField(20, column_name="asiakasnro")
    name = CharField(60, column_name="nimi")
    name_extra = CharField(60, column_name="nimitark")
    address = CharField(55, column_name="osoite")
    postcode = CharField(15, column_name="postino")
    city = CharField(35, column_name="postitp")
    country = CharField(2, column_name="maa")
    email = CharField(255, column_name="email")
    phone = CharField(100, column_name="puhelin")
    mobile = CharField(100, column_name="gsm")
    work_phone = CharField(100, column_name="tyopuhelin")
    fax = CharField(100, column_name="fax")
    delivery_name = CharField(60, column_name="toim_nimi")
    delivery_name_extra = CharField(60, column_name="toim_nimitark")
    delivery_address = CharField(55, column_name="toim_osoite")
    delivery_postcode = CharField(15, column_name="toim_postino")
    delivery_city = CharField(35, column_name="toim_postitp")
    delivery_country = CharField(2, column_name="toim_maa")
    group = CharField(60, column_name="konserni")
    district = CharField(150, column_name="piiri")
    customer_group = CharField(150, column_name="ryhma")
    department = CharField(50, column_name="osasto")
    language = CharField(2, column_name="kieli")
    facts = TextField(column_name="fakta")
    salesperson_no = IntegerField(column_name="myyjanro")
    currency = CharField(3, column_name="valkoodi")
    flag_1 = CharField(2, column_name="flag_1")
    flag_2 = CharField(2, column_name="flag_2")
    flag_3 = CharField(2, column_name="flag_3")
    flag_4 = CharField(2, column_name="flag_4")

    class Meta:
        table_name = "asiakas"
        indexes = (
            (("company", "business_id"), False),
            (("company", "customer_no"), False),
            (("company", "department", "customer_group"), False),
            (("company", "name"), False),
        )

    @property
    def is_prospect(self) -> bool:
        return self.kind == PROSPECT

    @property
    def has_delivery_address(self) -> bool:
        return delivery_address_complete(
            self.delivery_name, self.delivery_address, self.delivery_postcode, self.delivery_city
        )


def delivery_address_complete(name: str, street: str, postcode: str, city: str) -> bool:
    """Pupesoft uses the delivery address only when its name, street, postcode and town are all filled."""
    return all(str(v or "").strip() for v in (name, street, postcode, city))


class Contact(Audited):
    """yhteyshenkilo: a contact person (tyyppi 'A' = of a customer)."""

    kind = CharField(1, column_name="tyyppi", default="A")
    customer_id = IntegerField(column_name="liitostunnus")
    name = CharField(50, column_name="nimi")
    title = CharField(50, column_name="titteli")
    role = CharField(100, column_name="rooli")
    email = CharField(50, column_name="email")
    phone = CharField(50, column_name="puh")
    mobile = CharField(50, column_name="gsm")
    fax = CharField(50, column_name="fax")
    facts = TextField(column_name="fakta")

    class Meta:
        table_name = "yhteyshenkilo"
        indexes = ((("company", "kind", "customer_id"), False),)


class _PriceRule(Audited):
    product_no = CharField(60, column_name="tuoteno")
    discount_group = CharField(15, column_name="ryhma")
    customer_id = IntegerField(column_name="asiakas")
    business_id = CharField(15, column_name="ytunnus")
    customer_group = CharField(150, column_name="asiakas_ryhma")
    customer_segment = BigIntegerField(column_name="asiakas_segmentti")
    district = CharField(150, column_name="piiri")
    min_quantity = IntegerField(column_name="minkpl")
    valid_from = NoDateField(column_name="alkupvm")
    valid_to = NoDateField(column_name="loppupvm")


class CustomerDiscount(_PriceRule):
    """asiakasalennus: a discount percentage."""

    percent = DecimalField(5, 2, column_name="alennus")
    discount_kind = IntegerField(column_name="alennuslaji", default=1)

    class Meta:
        table_name = "asiakasalennus"
        indexes = (
            (("company", "customer_id", "product_no"), False),
            (("company", "business_id", "product_no"), False),
        )


class CustomerPrice(_PriceRule):
    """asiakashinta: a customer's own price."""

    price = DecimalField(16, 6, column_name="hinta")
    currency = CharField(3, column_name="valkoodi")
    max_quantity = IntegerField(column_name="maxkpl")

    class Meta:
        table_name = "asiakashinta"
        indexes = (
            (("company", "customer_id", "product_no"), False),
            (("company", "business_id", "product_no"), False),
        )
