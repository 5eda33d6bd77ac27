"""Peewee models of Pupesoft's CRM tables: English names, Pupesoft's columns."""

from pupetui.models.activity import Activity, SavedForm, SavedSearch
from pupetui.models.base import PupeModel, now
from pupetui.models.company import Company, CompanyParameters, Keyword, Permission, User
from pupetui.models.customer import Contact, Customer, CustomerDiscount, CustomerPrice
from pupetui.models.sales import Invoice, InvoiceRow, Product

ALL_MODELS: tuple[type[PupeModel], ...] = (
    Company,
    CompanyParameters,
    User,
    Permission,
    Keyword,
    Customer,
    Contact,
    CustomerDiscount,
    CustomerPrice,
    Product,
    Invoice,
    InvoiceRow,
    Activity,
    SavedSearch,
    SavedForm,
)

__all__ = [m.__name__ for m in ALL_MODELS] + ["ALL_MODELS", "PupeModel", "now"]
