"""A deterministic Finnish demo dataset: two companies, users and rights, keywords, customers,
contacts, discounts and prices, products, three years of invoices, memos, calendar entries,
reminders and leads.

- Deterministic: everything comes from `random.Random(seed)` and `today`; the clock is never read
  (audit stamps are derived from the data's own dates).
- Streaming: customers are made in blocks; each block's customers, contacts, discounts, prices,
  invoice rows, invoices and memos are written in one transaction and then forgotten, so memory
  stays flat at a million customers (about ten invoice rows each).
- Fast: the bulk tables are written with the driver's own bulk insert (sqlite3 `executemany`,
  PyMySQL's multi-row `executemany`, psycopg2's `execute_values`) from tuples of database-ready
  values, in the order of the model's fields. Peewee's `insert_many` converts every value through
  its field and measured ~16,000 rows/s on SQLite against ~190,000 for `executemany`. The SQL is
  an INSERT whose table and column names come from the models; values are always parameters.
  Columns the generator does not set get their field's default, so every NOT NULL column of
  Pupesoft's layout is filled; ids (`tunnus`) are assigned here, after the current maximum.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import random
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Iterator, Sequence

import peewee

from pupetui import db
from pupetui.models import (
    ALL_MODELS,
    Activity,
    Company,
    CompanyParameters,
    Contact,
    Customer,
    CustomerDiscount,
    CustomerPrice,
    Invoice,
    InvoiceRow,
    Keyword,
    Permission,
    Product,
    SavedSearch,
    User,
)
from pupetui.services import programs, search_index

DEMO_COMPANY = "demo"
DEMO_COMPANY_NAME = "Demo Oy"
SECOND_COMPANY = "esim"
SECOND_COMPANY_NAME = "Esimerkki Ab"
DEMO_USER = "demo"
DEMO_PASSWORD = "demo"
DEFAULT_CUSTOMERS = 300

BLOCK_CUSTOMERS = 1000  # customers made and written per transaction
BATCH_ROWS = 5000  # rows per driver call
PROGRESS_EVERY = 100_000  # rows between progress messages
YEARS_OF_SALES = 3

Progress = Callable[[str], None]


# ---------------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------------


@dataclass
class DemoStats:
    """Rows written per table, and the seconds spent making and writing each table's rows."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    index_seconds: float = 0.0  # SQLite: building the indexes put off during the load

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, table: str, rows: int, seconds: float = 0.0) -> None:
        self.counts[table] = self.counts.get(table, 0) + rows
        self.seconds[table] = self.seconds.get(table, 0.0) + seconds

    def summary(self, seconds: float) -> str:
        tables = ", ".join(f"{name} {count:,}" for name, count in self.counts.items())
        rate = self.total / seconds if seconds > 0 else 0.0
        return (
            f"rows written: {tables}\n"
            f"total {self.total:,} rows in {seconds:.1f} s ({rate:,.0f} rows/s)"
        )


# ---------------------------------------------------------------------------------------------
# Finnish material
# ---------------------------------------------------------------------------------------------

MALE_NAMES = (
    "Matti", "Mikko", "Juha", "Timo", "Jari", "Antti", "Kari", "Pekka", "Jukka", "Markku",
    "Mika", "Sami", "Heikki", "Janne", "Ville", "Tuomas", "Lauri", "Eero", "Onni", "Väinö",
    "Jyrki", "Tapio", "Harri", "Olli", "Petri", "Jussi", "Aki", "Esa", "Risto", "Kalle",
)
FEMALE_NAMES = (
    "Anna", "Maria", "Liisa", "Tuula", "Päivi", "Sari", "Minna", "Anne", "Johanna", "Riikka",
    "Katja", "Laura", "Elina", "Heidi", "Sanna", "Aino", "Eeva", "Kaisa", "Marjatta", "Hanna",
    "Jenni", "Satu", "Sirpa", "Tiina", "Ulla", "Pirjo", "Sofia", "Ella", "Kyllikki", "Sinikka",
)
SURNAMES = (
    "Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen",
    "Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen", "Heinonen", "Niemi",
    "Heikkilä", "Kinnunen", "Salonen", "Turunen", "Salo", "Laitinen", "Tuominen", "Rantanen",
    "Karjalainen", "Jokinen", "Mattila", "Savolainen", "Lahtinen", "Ahonen", "Hiltunen",
    "Lindqvist", "Öhman", "Åkerblom", "Ström", "Pääkkönen", "Väisänen", "Kärkkäinen", "Hyvönen",
    "Räsänen", "Sjöberg", "Nyström", "Ylönen", "Äijälä", "Östman", "Kääriäinen", "Björklund",
)
TRADES = (
    "Rakennus", "Sähkö", "Kone", "Putki", "LVI", "Metalli", "Puutyö", "Kuljetus", "Maalaus",
    "Kiinteistöhuolto", "Tekniikka", "Konepaja", "Teräs", "Auto", "Lämpö", "Katto", "Ikkuna",
    "Sähköasennus", "Rakennuspelti", "Hitsaus", "Elementti", "Talotekniikka", "Pihatyö",
)
COMPANY_WORDS = (
    "Nordic", "Pohjola", "Aurora", "Kaleva", "Tapiola", "Sampo", "Ilves", "Karhu", "Kotka",
    "Lakeus", "Saimaa", "Järvi", "Tunturi", "Revontuli", "Kivi", "Honka", "Kuusi", "Koivu",
)
FORMS = ("Oy", "Oy", "Oy", "Oy", "Oy Ab", "Ky", "Ay")
TITLES = (
    "Toimitusjohtaja", "Ostopäällikkö", "Myyntipäällikkö", "Talouspäällikkö", "Työnjohtaja",
    "Projektipäällikkö", "Hankinta-assistentti", "Huoltopäällikkö", "Varastopäällikkö",
    "Kiinteistöpäällikkö",
)
ROLES = ("Ostot", "Laskutus", "Päätöksentekijä", "Tekninen yhteyshenkilö", "Vastaanotto", "")
STREETS = (
    "Hämeenkatu", "Aleksanterinkatu", "Mannerheimintie", "Kauppakatu", "Koulukatu",
    "Rautatienkatu", "Asemakatu", "Kirkkokatu", "Puistokatu", "Rantatie", "Teollisuustie",
    "Myllykatu", "Satamakatu", "Tehtaankatu", "Sepänkatu", "Itäinen Pitkäkatu", "Hallituskatu",
    "Torikatu", "Yliopistonkatu", "Vapaudenkatu", "Kalevankatu", "Isokatu", "Runeberginkatu",
    "Mäkelänkatu", "Hatanpään valtatie", "Pyhäjärvenkatu", "Väinämöisenkatu", "Koivistontie",
    "Kuusitie", "Peltotie", "Metsätie", "Ahjotie", "Valimotie", "Konepajankatu", "Veturitie",
    "Äyritie", "Sorvaajankatu", "Läkkisepäntie", "Hermiankatu", "Pälkäneentie",
)
# (postcode, town, district, area code, genitive, language)
TOWNS = (
    ("00100", "Helsinki", "1", "09", "Helsingin", "fi"),
    ("00510", "Helsinki", "1", "09", "Helsingin", "fi"),
    ("00880", "Helsinki", "1", "09", "Helsingin", "fi"),
    ("02150", "Espoo", "1", "09", "Espoon", "fi"),
    ("02600", "Espoo", "1", "09", "Espoon", "fi"),
    ("01510", "Vantaa", "1", "09", "Vantaan", "fi"),
    ("04400", "Järvenpää", "1", "09", "Järvenpään", "fi"),
    ("05800", "Hyvinkää", "1", "019", "Hyvinkään", "fi"),
    ("06100", "Porvoo", "1", "019", "Porvoon", "fi"),
    ("08100", "Lohja", "1", "019", "Lohjan", "fi"),
    ("10600", "Tammisaari", "1", "019", "Tammisaaren", "sv"),
    ("33100", "Tampere", "2", "03", "Tampereen", "fi"),
    ("33720", "Tampere", "2", "03", "Tampereen", "fi"),
    ("33400", "Tampere", "2", "03", "Tampereen", "fi"),
    ("36200", "Kangasala", "2", "03", "Kangasalan", "fi"),
    ("37600", "Valkeakoski", "2", "03", "Valkeakosken", "fi"),
    ("13100", "Hämeenlinna", "2", "03", "Hämeenlinnan", "fi"),
    ("15110", "Lahti", "2", "03", "Lahden", "fi"),
    ("11100", "Riihimäki", "2", "019", "Riihimäen", "fi"),
    ("30100", "Forssa", "2", "03", "Forssan", "fi"),
    ("20100", "Turku", "3", "02", "Turun", "fi"),
    ("20540", "Turku", "3", "02", "Turun", "fi"),
    ("21200", "Raisio", "3", "02", "Raision", "fi"),
    ("24100", "Salo", "3", "02", "Salon", "fi"),
    ("26100", "Rauma", "3", "02", "Rauman", "fi"),
    ("28100", "Pori", "3", "02", "Porin", "fi"),
    ("32200", "Loimaa", "3", "02", "Loimaan", "fi"),
    ("22100", "Maarianhamina", "3", "018", "Maarianhaminan", "sv"),
    ("90100", "Oulu", "4", "08", "Oulun", "fi"),
    ("90570", "Oulu", "4", "08", "Oulun", "fi"),
    ("65100", "Vaasa", "4", "06", "Vaasan", "fi"),
    ("60100", "Seinäjoki", "4", "06", "Seinäjoen", "fi"),
    ("67100", "Kokkola", "4", "06", "Kokkolan", "fi"),
    ("68600", "Pietarsaari", "4", "06", "Pietarsaaren", "sv"),
    ("96100", "Rovaniemi", "4", "016", "Rovaniemen", "fi"),
    ("94100", "Kemi", "4", "016", "Kemin", "fi"),
    ("95400", "Tornio", "4", "016", "Tornion", "fi"),
    ("87100", "Kajaani", "4", "08", "Kajaanin", "fi"),
    ("40100", "Jyväskylä", "5", "014", "Jyväskylän", "fi"),
    ("40320", "Jyväskylä", "5", "014", "Jyväskylän", "fi"),
    ("44100", "Äänekoski", "5", "014", "Äänekosken", "fi"),
    ("70100", "Kuopio", "5", "017", "Kuopion", "fi"),
    ("80100", "Joensuu", "5", "013", "Joensuun", "fi"),
    ("50100", "Mikkeli", "5", "015", "Mikkelin", "fi"),
    ("57100", "Savonlinna", "5", "015", "Savonlinnan", "fi"),
    ("53100", "Lappeenranta", "5", "05", "Lappeenrannan", "fi"),
    ("45100", "Kouvola", "5", "05", "Kouvolan", "fi"),
    ("48100", "Kotka", "5", "05", "Kotkan", "fi"),
    ("74100", "Iisalmi", "5", "017", "Iisalmen", "fi"),
)
EXPORT_DISTRICT = "6"
# country -> (language, phone prefix, [(postcode, town, street)], [names])
FOREIGN = {
    "SE": ("sv", "+46 8 ", (("111 52", "Stockholm", "Drottninggatan"), ("411 06", "Göteborg", "Kungsportsavenyen"), ("211 22", "Malmö", "Södra Förstadsgatan")),
           ("Nordisk Verktyg AB", "Svensson & Söner AB", "Göteborgs Bygg AB", "Malmö Järn AB")),
    "EE": ("en", "+372 6", (("10111", "Tallinn", "Narva mnt"), ("51003", "Tartu", "Riia"), ("80010", "Pärnu", "Rüütli")),
           ("Tallinna Tööriist OÜ", "Baltic Ehitus AS", "Pärnu Metall OÜ")),
    "DE": ("de", "+49 30 ", (("10115", "Berlin", "Invalidenstraße"), ("20095", "Hamburg", "Mönckebergstraße"), ("80331", "München", "Kaufingerstraße")),
           ("Müller Werkzeuge GmbH", "Schröder Metallbau GmbH & Co. KG", "Weiß Handels GmbH")),
}
# Names that look like markup or SQL or carry a control character: the UI must show them literally.
SPECIAL_NAMES = (
    ("Oy [Ab] & Co", ""),
    ("[bold]Markup[/bold] Oy", "[red]ei väriä[/red]"),
    ("Äijälän Öljy & Åström Ky", "Ääkköset ÅÄÖ åäö"),
    ("O'Brien & \"Sons\" Oy", "'; DROP TABLE asiakas; --"),
    ("100% Laatu <Oy>", "50 % alennus & <b>ilmainen</b> toimitus"),
    ("Pääte \x1b[7mkäänteinen\x1b[0m Oy", "ohjausmerkki\tsarkain"),
    ("[link=https://example.com]Linkki[/link] Tmi", "\\[escaped] Oy"),
    ("Tmi [/]", "[/b] [@click=app.quit]lopeta[/]"),
)
CUSTOMER_FACTS = (
    "Toimitukset aina takaovelle, lastauslaituri B.",
    "Maksaa aina ajallaan.",
    "Vaatii tilausvahvistuksen sähköpostilla.",
    "Kilpailija tarjonnut 5 % halvemmalla.",
    "Vuosisopimus neuvotellaan tammikuussa.\nYhteyshenkilö vaihtuu keväällä.",
    "Laskut verkkolaskuna, ei paperia.",
    "Avainasiakas: tilaukset käsitellään samana päivänä.",
    "Ei toimituksia heinäkuussa (kesätauko).",
)
CONTACT_FACTS = (
    "Tavoitettavissa parhaiten aamupäivisin.",
    "Lomalla heinäkuun.",
    "Haluaa tarjoukset sähköpostilla.",
    "Puhuu myös ruotsia.",
)
NAME_EXTRAS = ("c/o Tilitoimisto Laine", "Huolto", "Ostoreskontra", "Varasto", "Työmaa Kalasatama")

# KALETAPA: (text stored in kalenteri.tapa, colour)
CALL, VISIT, EMAIL, MEETING, OFFER = "Puhelu", "Käynti asiakkaalla", "Sähköposti", "Palaveri", "Tarjous"
TRAINING, HOLIDAY, DOCTOR, SICK = "Koulutus", "Loma", "Lääkäri", "Sairasloma"
LABELS, SMS, OTHER = "Osoitetarrat", "Tekstiviesti", "Muu"
CONTACT_METHODS = (
    (CALL, "#4E79A7"), (VISIT, "#59A14F"), (EMAIL, "#76B7B2"), (MEETING, "#F28E2B"),
    (OFFER, "#EDC948"), (TRAINING, "#B07AA1"), (HOLIDAY, "#E15759"), (DOCTOR, "#FF9DA7"),
    (SICK, "#9C755F"), (LABELS, "#BAB0AC"), (SMS, "#86BCB6"), (OTHER, "#D4A6C8"),
)
CUSTOMER_DEPARTMENTS = (("10", "Teollisuus"), ("20", "Rakentaminen"), ("30", "Kauppa"), ("40", "Julkinen sektori"), ("50", "Palvelut"))
PRIVATE_DEPARTMENT = ("60", "Yksityisasiakkaat")
CUSTOMER_GROUPS = (("A", "Avainasiakas"), ("B", "Perusasiakas"), ("C", "Satunnainen asiakas"), ("J", "Jälleenmyyjä"))
DISTRICTS = (("1", "Uusimaa"), ("2", "Pirkanmaa ja Häme"), ("3", "Varsinais-Suomi ja Satakunta"),
             ("4", "Pohjanmaa ja Lappi"), ("5", "Itä- ja Keski-Suomi"), (EXPORT_DISTRICT, "Vienti"))
CUSTOMER_STATES = (("A", "Aktiivinen"), ("U", "Uusi asiakas"), ("L", "Luottokielto"), ("E", "Ei aktiivinen"))

# Products: department (OSASTO) -> (name, product-number prefix, {group (TRY): (name, [(product, price €)])})
CATALOGUE = (
    (1, "Työkalut", "TK", {
        101: ("Käsityökalut", (("Vasara 500 g", 24.90), ("Ruuvimeisselisarja 6 osaa", 19.90), ("Kiintoavainsarja 8–19 mm", 34.50), ("Pihdit 200 mm", 16.90), ("Sorkkarauta 600 mm", 21.00), ("Käsisaha 550 mm", 18.50), ("Taltta 20 mm", 9.90))),
        102: ("Sähkötyökalut", (("Akkuporakone 18 V", 189.00), ("Kulmahiomakone 125 mm", 89.00), ("Iskuporakone 800 W", 129.00), ("Pistosaha 650 W", 99.00), ("Akkuruuvinväännin 12 V", 119.00))),
        103: ("Mittausvälineet", (("Mittanauha 5 m", 12.90), ("Vesivaaka 600 mm", 27.50), ("Laseretäisyysmittari 40 m", 79.00), ("Työntömitta 150 mm", 22.00))),
    }),
    (2, "Kiinnitystarvikkeet", "KI", {
        201: ("Ruuvit", (("Puuruuvi 4,0x40 (200 kpl)", 8.90), ("Puuruuvi 5,0x80 (100 kpl)", 11.50), ("Kattoruuvi 4,8x35 (250 kpl)", 24.00), ("Terassiruuvi 4,2x55 (500 kpl)", 32.00))),
        202: ("Mutterit ja aluslevyt", (("Kuusiomutteri M8 (100 kpl)", 5.90), ("Kuusiomutteri M10 (100 kpl)", 7.50), ("Aluslevy M8 (200 kpl)", 4.90), ("Lukkomutteri M12 (50 kpl)", 8.40))),
        203: ("Kiinnikkeet ja tulpat", (("Kiila-ankkuri M10x90 (20 kpl)", 14.90), ("Nailontulppa 8 mm (100 kpl)", 6.50), ("Kulmarauta 90x90", 2.40))),
    }),
    (3, "Sähkötarvikkeet", "SA", {
        301: ("Kaapelit", (("Asennuskaapeli MMJ 3x1,5S (100 m)", 79.00), ("Asennuskaapeli MMJ 3x2,5S (50 m)", 69.00), ("Jatkojohto 10 m", 19.90))),
        302: ("Valaisimet", (("LED-valaisin 36 W", 49.00), ("Työvalo LED 20 W", 39.00), ("Otsalamppu", 24.90))),
        303: ("Asennustarvikkeet", (("Kytkentärasia", 3.90), ("Johtoliitin (100 kpl)", 12.00), ("Nippuside 200 mm (100 kpl)", 4.50))),
    }),
    (4, "LVI", "LV", {
        401: ("Putket ja liittimet", (("PEX-putki 20 mm (50 m)", 59.00), ("Puserrusliitin 15 mm", 6.90), ("Kupariputki 15 mm (3 m)", 21.00))),
        402: ("Venttiilit", (("Palloventtiili 1/2\"", 11.90), ("Sulkuventtiili 3/4\"", 16.50), ("Takaiskuventtiili 1\"", 18.90))),
        403: ("Pumput", (("Uppopumppu 400 W", 89.00), ("Kiertovesipumppu", 149.00))),
    }),
    (5, "Työturvallisuus", "TT", {
        501: ("Suojakäsineet", (("Nitriilikäsine (100 kpl)", 9.90), ("Työkäsine nahka", 7.50), ("Talvityökäsine", 12.90))),
        502: ("Suojavaatteet", (("Huomioliivi", 6.90), ("Työhousut", 59.00), ("Sadetakki", 34.00), ("Turvakengät S3", 89.00))),
        503: ("Kuulo- ja silmäsuojaimet", (("Kuulosuojain", 24.00), ("Suojalasit", 8.90), ("Hengityssuojain FFP2 (10 kpl)", 12.50))),
    }),
    (6, "Maalit ja kemikaalit", "MK", {
        601: ("Maalit", (("Pohjamaali 2,7 l", 29.90), ("Ulkomaali 9 l", 89.00), ("Lattiamaali 2,7 l", 39.90), ("Spraymaali 400 ml", 9.90))),
        602: ("Liimat ja saumausaineet", (("Rakennusliima 290 ml", 7.90), ("Silikoni 300 ml", 8.50), ("Akryylimassa 310 ml", 5.90))),
        603: ("Puhdistusaineet", (("Yleispuhdistusaine 1 l", 6.50), ("Rasvanpoistoaine 5 l", 24.00), ("Käsienpuhdistusaine 2,5 l", 14.90))),
    }),
)

MEMO_TEXTS = (
    "Soitin ja kysyin tarjouksen tilannetta. Päättävät ensi viikolla.",
    "Asiakas pyysi tarjousta suojakäsineistä ja huomioliiveistä, 200 kpl.",
    "Käynti asiakkaalla: esittelin uudet akkutyökalut. Kiinnostusta oli.",
    "Reklamaatio: toimituksesta puuttui kaksi laatikkoa ruuveja. Lähetetty perään.",
    "Sovittu vuosisopimuksesta, alennus 12 % kiinnitystarvikkeista.",
    "Asiakas vaihtoi ostajaa, uusi yhteyshenkilö lisätty.",
    "Lähetetty uusi hinnasto sähköpostilla.",
    "Maksuehto muutettu 14 pv netto.",
    "Kilpailija tarjonnut halvemmalla, pyydetty vastatarjous.",
    "Palaveri: kevään projektit ja toimitusaikataulut käyty läpi.",
    "Asiakas tyytyväinen toimitusvarmuuteen.",
    "Ei vastannut puhelimeen, yritetään uudelleen.",
    "Messuilla tavattu, kiinnostunut LVI-tuotteista.",
    "Tilaus tulossa ennen lomia, varmistettu varastosaldo.",
    "Laskutusosoite muuttunut, päivitetty tiedot.",
    "Esittely pidetty työmaalla, mukana näytteet.",
    "Pyysivät toimitusta suoraan työmaalle Espooseen.",
    "Luottoraja tarkistettu, ok.",
    "Vuosineuvottelu sovittu tammikuulle.",
    "Kysyivät yhteistilausta konsernin muille yksiköille.\nLähetän tarjouksen kaikille kolmelle.",
)
REPLY_TEXTS = (
    "Vastaus: tarjous hyväksytty.", "Toimitettu perään, asia kunnossa.",
    "Asiakas soitti takaisin, asia selvä.", "Lisätty hinnoitteluun.",
)
LABEL_MEMOS = ("Osoitetarra tulostettu: joulukortit", "Osoitetarra tulostettu: kevätkampanja")
SMS_TEXTS = ("Tilauksenne on noudettavissa myymälästä.", "Huomenna toimitus klo 8-10.")
RECEIVABLES_TEXTS = ("Maksumuistutus lähetetty.", "Asiakas lupasi maksaa perjantaina.", "Osamaksusta sovittu.")
REMINDER_TEXTS = (
    "Soita ja kysy tarjouksen tilanne", "Muistuta erääntyneestä laskusta", "Lähetä uusi hinnasto",
    "Sovi käynti ennen kesälomia", "Tarkista vuosisopimuksen alennukset", "Kysy tyytyväisyyttä toimitukseen",
    "Varmista messuilmoittautuminen",
)
ACK_TEXTS = ("Hoidettu.", "Soitettu, tarjous hyväksytty.", "Hinnasto lähetetty.", "Käynti sovittu.")
LEAD_TEXTS = (
    "Liidi messuilta: kiinnostunut vuosisopimuksesta",
    "Verkkolomake: pyytää tarjousta työvaatteista",
    "Suositus nykyiseltä asiakkaalta, soita pikaisesti",
)
CALENDAR_COMMENTS = {
    VISIT: ("Asiakaskäynti", "Työmaakäynti", "Tuote-esittely", "Vuosineuvottelu"),
    CALL: ("Puhelinpalaveri", "Soitto ostajalle"),
    MEETING: ("Viikkopalaveri", "Myyntipalaveri", "Lounas asiakkaan kanssa"),
    DOCTOR: ("Hammaslääkäri", "Työterveys"),
    TRAINING: ("Koulutus: uudet akkutyökalut", "Tuotekoulutus LVI"),
    HOLIDAY: ("Kesäloma", "Talviloma"),
}

# ---------------------------------------------------------------------------------------------
# Users and rights
# ---------------------------------------------------------------------------------------------

ALL = "all"


@dataclass(frozen=True)
class DemoUser:
    login: str
    name: str
    position: str  # asema; 'MP' = sales manager
    salesperson_no: int
    districts: str = ""
    department: str = "Myynti"
    active: int = 1
    rights: tuple = ()  # (program, subname, may update) or ALL
    mobile: str = ""

    @property
    def password(self) -> str:
        """The demo user's password is DEMO_PASSWORD; every other user's is their login."""
        return DEMO_PASSWORD if self.login == DEMO_USER else self.login


def _rights(*items) -> tuple:
    return tuple((p, s, u) for p, s, u in items)


P = programs
SALES_RIGHTS = _rights(
    (P.CUSTOMERS, "", "1"), (P.MEMO, "", "1"), (P.CALENDAR, "", "1"), (P.REMINDERS, "", "1"),
    (P.LABELS, "", "1"), (P.SMS, "", "1"), (P.CUSTOMER_EDIT, "asiakas", "1"),
    (P.CONTACT_EDIT, "yhteyshenkilo", "1"),
)
USERS = {
    DEMO_COMPANY: (
        DemoUser(DEMO_USER, "Demo Käyttäjä", "MP", 1, department="Myynti", rights=ALL, mobile="040 100 0001"),
        DemoUser("mattim", "Matti Myyjä", "Myyjä", 2, districts="1,2", rights=SALES_RIGHTS, mobile="040 100 0002"),
        DemoUser("liisal", "Liisa Lähteenmäki", "Myyjä", 3, districts="3,4,5", mobile="050 100 0003",
                 rights=_rights((P.CUSTOMERS, "", "1"), (P.MEMO, "", "1"), (P.CALENDAR, "", "1"),
                                (P.REMINDERS, "", "1"), (P.CONTRACTS, "", "1"), (P.SQL, "READ", ""))),
        DemoUser("sannas", "Sanna Sjöberg", "Vientimyyjä", 5, districts=EXPORT_DISTRICT, mobile="044 100 0005",
                 rights=SALES_RIGHTS + _rights((P.CONTRACTS, "", "1"), (P.SQL, "", "1"), (P.QUERY_GENERATOR, "", "1"))),
        DemoUser("ville", "Ville Varasto", "Varastomies", 0, department="Varasto",
                 rights=_rights((P.CUSTOMERS, "", ""), (P.LABELS, "", "")), mobile="045 100 0006"),
        DemoUser("pekkap", "Pekka Poistunut", "Myyjä", 4, districts="2", active=0,
                 rights=_rights((P.CUSTOMERS, "", "1"), (P.MEMO, "", "1"), (P.CALENDAR, "", "1")), mobile="040 100 0004"),
    ),
    SECOND_COMPANY: (
        DemoUser(DEMO_USER, "Demo Käyttäjä", "MP", 1, rights=ALL, mobile="040 100 0001"),
        DemoUser("annas", "Anna Åström", "Myyjä", 2, rights=SALES_RIGHTS, mobile="040 200 0002"),
        DemoUser("kallek", "Kalle Kärkkäinen", "Varastomies", 0, department="Varasto",
                 rights=_rights((P.CUSTOMERS, "", "")), mobile="050 200 0003"),
    ),
}
PROGRAM_TITLES = {
    "customers": "Asiakaslista", "memo": "Asiakasmemo", "calendar": "Kalenteri",
    "contracts": "Vuosisopimusasiakkaat", "reminders": "Kuittaamattomat muistutukset",
    "labels": "Osoitetarrat", "sms": "Tekstiviestit", "sql": "SQL-haku",
    "querygen": "Kyselygeneraattori", "customer_edit": "Asiakkaat",
    "contact_edit": "Yhteyshenkilöt", "keyword_edit": "Avainsanat",
}
APPLICATIONS = {"crm/": "Asiakkuudenhallinta", "raportit/": "Raportit"}


def all_rights() -> tuple:
    """Every program with every subname (the SQL search with '' and 'SUPER'), and customer editing."""
    out = []
    for program in programs.PROGRAMS:
        subnames = ("", "SUPER") if program is programs.SQL else program.subnames
        out.extend((program, sub, "1") for sub in subnames)
    out.append((programs.CUSTOMER_EDIT, "asiakas", "1"))
    out.append((programs.CONTACT_EDIT, "yhteyshenkilo", "1"))
    out.append((programs.KEYWORD_EDIT, "avainsana", "1"))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def business_id_check_digit(base: str) -> int | None:
    """The check digit of a 7-digit Finnish business id (Y-tunnus); None if no valid one exists."""
    d = [ord(ch) - 48 for ch in base]
    remainder = (7 * d[0] + 9 * d[1] + 10 * d[2] + 5 * d[3] + 8 * d[4] + 4 * d[5] + 2 * d[6]) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


def is_valid_business_id(text: str) -> bool:
    if len(text) != 9 or text[7] != "-" or not (text[:7] + text[8]).isdigit():
        return False
    return business_id_check_digit(text[:7]) == int(text[8])


def _money(cents: int) -> str:
    """Cents as a decimal string; exact (a float holds n/100 far closer than half a cent)."""
    return f"{cents / 100:.2f}"


LEGAL_FORMS = ("oy", "ab", "ky", "ay", "tmi", "gmbh", "co", "kg", "as", "ou")


@functools.lru_cache(maxsize=65536)
def _domain(name: str) -> str:
    """A made-up mail domain for a company name (reserved `.example`: no mail can reach anyone)."""
    words = [w for w in _ascii_slug(name).split("-") if w and w not in LEGAL_FORMS]
    return "-".join(words)[:30].strip("-") or "yritys"


@functools.lru_cache(maxsize=65536)
def _ascii_slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().replace("ß", "ss"))
    out, dash = [], False
    for ch in text:
        if ch.isascii() and ch.isalnum():
            out.append(ch)
            dash = False
        elif not unicodedata.combining(ch) and not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")[:30] or "yritys"


def _years_back(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _stamp(value: dt.datetime) -> str:
    """'YYYY-MM-DD HH:MM:SS' of a whole-second datetime (every datetime made here is one)."""
    return str(value)


# ---------------------------------------------------------------------------------------------
# Writing: tables, ids, the driver's bulk insert
# ---------------------------------------------------------------------------------------------


class _Table:
    """One model's bulk insert: rows are tuples of database-ready values.

    `columns` are the model fields a generator gives, in order; every other field of the model
    gets its default (so a row is complete on Pupesoft's layout too).
    """

    def __init__(self, writer: "_Writer", model: type[peewee.Model], columns: Sequence[str] = ()):
        meta = model._meta
        self.model = model
        self.name = meta.table_name
        names = list(columns) or [f.name for f in meta.sorted_fields]
        unknown = [n for n in names if n not in meta.fields]
        if unknown:
            raise ValueError(f"{model.__name__} has no field(s) {unknown}")
        rest = [f.name for f in meta.sorted_fields if f.name not in names]
        self.fields = [meta.fields[n] for n in names + rest]
        self.head = len(names)
        self.tail = tuple(self._db_value(f, self._default(f)) for f in self.fields[self.head:])
        q0, q1 = writer.quote[0], writer.quote[-1]
        cols = ", ".join(f"{q0}{f.column_name}{q1}" for f in self.fields)
        self.quoted_name = f"{q0}{self.name}{q1}"
        self.sql_values = f"INSERT INTO {self.quoted_name} ({cols}) VALUES %s"
        self.sql = f"INSERT INTO {self.quoted_name} ({cols}) VALUES ({', '.join([writer.param] * len(self.fields))})"
        self.names = {f.name for f in self.fields}

    @staticmethod
    def _default(f: peewee.Field):
        return f.default() if callable(f.default) else f.default

    @staticmethod
    def _db_value(f: peewee.Field, value):
        value = f.db_value(value)
        return str(value) if isinstance(value, Decimal) else value

    def complete(self, rows: list[tuple]) -> list[tuple]:
        if not self.tail:
            return rows
        tail = self.tail
        return [r + tail for r in rows]

    def row(self, values: dict) -> tuple:
        """A complete row from field name -> Python value (converted by each field)."""
        unknown = set(values) - self.names
        if unknown:
            raise ValueError(f"{self.model.__name__} has no field(s) {sorted(unknown)}")
        out = []
        for f in self.fields:
            value = values[f.name] if f.name in values else self._default(f)
            out.append(self._db_value(f, value))
        return tuple(out)


class _Writer:
    def __init__(self, database: peewee.Database, stats: DemoStats):
        self.database = database
        self.stats = stats
        if isinstance(database, peewee.PostgresqlDatabase):
            self.kind = "postgres"
        elif isinstance(database, peewee.MySQLDatabase):
            self.kind = "mysql"
        else:
            self.kind = "sqlite"
        self.quote = database.quote
        self.param = database.param
        self.next_ids: dict[str, int] = {}
        self.written: set[str] = set()

    def ids(self, table: _Table, count: int) -> int:
        """The first of `count` fresh ids of the table (after its current maximum)."""
        if table.name not in self.next_ids:
            model = table.model
            current = model.select_all_companies(peewee.fn.MAX(model.id)).scalar() or 0
            self.next_ids[table.name] = int(current) + 1
        first = self.next_ids[table.name]
        self.next_ids[table.name] = first + count
        return first

    def insert(self, table: _Table, rows: list[tuple], *, complete: bool = False) -> None:
        """Write rows (heads, unless `complete`) in batches; the caller holds the transaction."""
        if not rows:
            return
        if not complete:
            if len(rows[0]) != table.head:
                raise ValueError(f"{table.name}: a row has {len(rows[0])} values for {table.head} columns")
            rows = table.complete(rows)
        cursor = self.database.cursor()
        for start in range(0, len(rows), BATCH_ROWS):
            batch = rows[start:start + BATCH_ROWS]
            if self.kind == "postgres":
                from psycopg2.extras import execute_values

                execute_values(cursor, table.sql_values, batch, page_size=1000)
            else:
                cursor.executemany(table.sql, batch)
        self.written.add(table.name)

    def timed(self, table: _Table, make: Callable[[], list[tuple]], *, complete: bool = False) -> list[tuple]:
        started = time.perf_counter()
        rows = make()
        self.insert(table, rows, complete=complete)
        self.stats.add(table.name, len(rows), time.perf_counter() - started)
        return rows

    def finish(self) -> None:
        """On PostgreSQL, move each written table's id sequence past the ids given here."""
        if self.kind != "postgres":
            return
        for name in sorted(self.written):
            quoted = f'"{name}"'
            self.database.execute_sql(
                f"SELECT setval(pg_get_serial_sequence(%s, 'tunnus'), "
                f"(SELECT MAX(tunnus) FROM {quoted}))",
                (quoted,),
            )


# ---------------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------------


class _Cust:
    """What later tables need to know of a customer made in the current block."""

    __slots__ = (
        "id", "index", "kind", "business_id", "customer_no", "name", "name_extra", "address",
        "postcode", "city", "country", "district", "group", "salesperson_no", "size",
        "contacts", "mobile", "discounts", "since", "konserni", "area", "language",
    )


@dataclass(frozen=True)
class _ProductInfo:
    number: str
    name: str
    department: int
    group: int
    discount_group: str
    prices: tuple  # cents of sales price, index = years before today
    costs: tuple  # cents of purchase price, same index
    max_quantity: int


class _Company:
    """Generates one company's data into the writer."""

    def __init__(self, gen: "_Generator", code: str, name: str, customers: int, *, slot_minutes: int,
                 multi_user_calendar: str, city_index: int):
        self.gen = gen
        self.rng = gen.rng
        self.rnd = gen.rng.random
        self.code = code
        self.company_name = name
        self.n_customers = customers
        self.slot_minutes = slot_minutes
        self.multi_user_calendar = multi_user_calendar
        self.city_index = city_index
        self.users = USERS[code]
        self.by_salesperson = {u.salesperson_no: u.login for u in self.users if u.salesperson_no}
        self.calendar_users = [
            u for u in self.users
            if u.active and (u.rights == ALL or any(p is programs.CALENDAR for p, _, _ in u.rights))
        ]
        self.products: list[_ProductInfo] = []
        self.product_cumulative: list[float] = []
        self.sample: list[_Cust] = []  # every k-th customer, kept for calendar entries and reminders
        self.sample_stride = max(1, customers // 400)
        self.group_parents: list[_Cust] = []
        self.invoice_no = 100001
        self.customer_no = 10001
        self.made = 0

    # -- shared ----------------------------------------------------------------------------------
    def pick(self, seq: Sequence):
        return seq[int(self.rnd() * len(seq))]

    def between(self, low: int, high: int) -> int:
        return low + int(self.rnd() * (high - low + 1))

    def phone(self, area: str) -> str:
        rnd = self.rnd
        return f"{area} {100 + int(rnd() * 900)} {1000 + int(rnd() * 9000)}"

    def audit(self, login: str, at: dt.datetime, modified: dt.datetime | None = None) -> dict:
        return {"company": self.code, "created_by": login, "created_at": at,
                "modified_by": login, "modified_at": modified or at}

    def write_dicts(self, table: _Table, rows: list[dict]) -> None:
        first = self.gen.writer.ids(table, len(rows))
        def make():
            return [table.row({"id": first + i, **r}) for i, r in enumerate(rows)]
        self.gen.writer.timed(table, make, complete=True)

    # -- setup: company, parameters, users, rights, keywords, products ---------------------------
    def setup(self) -> None:
        g = self.gen
        at = dt.datetime.combine(_years_back(g.today, YEARS_OF_SALES + 2), dt.time(8, 0))
        town = TOWNS[self.city_index]
        year = g.today.year
        self.write_dicts(g.t_company, [{
            **self.audit(DEMO_USER, at),
            "business_id": g.next_business_id(), "name": self.company_name,
            "address": f"{self.pick(STREETS)} {self.between(1, 40)}", "postcode": town[0], "city": town[1],
            "country": "FI", "language": "fi", "currency": "EUR",
            "phone": self.phone(town[3]),
            "email": f"info@{self.code}.example", "www": f"https://www.{self.code}.example",
            "fiscal_year_start": dt.date(year, 1, 1), "fiscal_year_end": dt.date(year, 12, 31),
            "payables_period_start": dt.date(year, 1, 1), "payables_period_end": dt.date(year, 12, 31),
            "receivables_period_start": dt.date(year, 1, 1), "receivables_period_end": dt.date(year, 12, 31),
        }])
        self.write_dicts(g.t_parameters, [{
            **self.audit(DEMO_USER, at),
            "admin_email": f"admin@{self.code}.example", "mail_sender": f"noreply@{self.code}.example",
            "calendar_slot_minutes": str(self.slot_minutes), "multi_user_calendar": self.multi_user_calendar,
            # the customers of a group share a business ID: their numbers tell them apart
            "customer_key": "A", "automatic_customer_no": "K", "customer_no_start": 10001,
        }])
        self.write_dicts(g.t_users, [{
            **self.audit(DEMO_USER, at),
            "login": u.login, "name": u.name,
            "password_md5": hashlib.md5(u.password.encode("utf-8")).hexdigest(),
            "districts": u.districts, "language": "fi", "salesperson_no": u.salesperson_no,
            "department": u.department, "position": u.position,
            "email": f"{_ascii_slug(u.name).replace('-', '.')}@{self.code}.example", "mobile": u.mobile,
            "active": u.active,
        } for u in self.users])
        rights = []
        for u in self.users:
            granted = all_rights() if u.rights == ALL else u.rights
            for order, (program, subname, may_update) in enumerate(granted, start=1):
                application = next((a for prefix, a in APPLICATIONS.items() if program.script.startswith(prefix)), "Ylläpito")
                rights.append({
                    **self.audit(DEMO_USER, at),
                    "login": u.login, "application": application, "script": program.script,
                    "subname": subname, "may_update": may_update, "title": PROGRAM_TITLES[program.id],
                    "order": order * 10,
                })
        self.write_dicts(g.t_rights, rights)
        keywords = []
        def words(kind, items, text_2=None):
            for order, item in enumerate(items, start=1):
                value, text = item[0], item[1]
                keywords.append({**self.audit(DEMO_USER, at), "kind": kind, "language": "fi",
                                 "value": value, "text": text, "text_2": text_2(item) if text_2 else "",
                                 "order": order * 10})
        words("KALETAPA", [(t, t, c) for t, c in CONTACT_METHODS], lambda item: item[2])
        words("ASIAKASOSASTO", CUSTOMER_DEPARTMENTS + (PRIVATE_DEPARTMENT,))
        words("ASIAKASRYHMA", CUSTOMER_GROUPS)
        words("PIIRI", DISTRICTS)
        words("ASIAKASTILA", CUSTOMER_STATES)
        words("OSASTO", [(str(dep), name) for dep, name, _, _ in CATALOGUE])
        words("TRY", [(str(grp), gname) for _, _, _, groups in CATALOGUE for grp, (gname, _) in groups.items()])
        self.write_dicts(g.t_keywords, keywords)
        self.setup_products(at)
        self.write_saved_queries(at)

    def setup_products(self, at: dt.datetime) -> None:
        rng = self.rng
        second = self.code != DEMO_COMPANY
        rows = []
        for department, _, prefix, groups in CATALOGUE:
            for group, (_, items) in groups.items():
                for seq, (name, euros) in enumerate(items, start=1):
                    if second and seq % 2 == 0:
                        continue  # the second company sells a smaller range
                    cents = round(euros * 100 * (1.05 if second else 1.0))
                    prices = tuple(round(cents / (1.04 ** years)) for years in range(YEARS_OF_SALES + 1))
                    margin = rng.uniform(0.22, 0.45)
                    costs = tuple(round(p * (1 - margin)) for p in prices)
                    max_quantity = 2 if cents >= 10000 else 6 if cents >= 3000 else 20
                    info = _ProductInfo(f"{prefix}-{group}{seq:02d}", name, department, group,
                                        f"A{department}", prices, costs, max_quantity)
                    self.products.append(info)
                    rows.append({
                        **self.audit(DEMO_USER, at), "product_no": info.number, "name": name,
                        "department": department, "product_group": group, "discount_group": info.discount_group,
                        "unit": "KPL", "sales_price": Decimal(cents) / 100, "vat": Decimal("25.5"),
                        "export_info": "",
                    })
        self.write_dicts(self.gen.t_products, rows)
        self.catalogue_by_years = tuple(
            tuple((p.number, p.name, p.department, p.group, p.discount_group, p.prices[years], p.costs[years],
                   p.max_quantity) for p in self.products)
            for years in range(YEARS_OF_SALES + 1)
        )
        total = 0.0
        for p in self.products:  # cheap things sell more often
            total += 3.0 if p.prices[0] < 3000 else 1.5 if p.prices[0] < 10000 else 0.6
            self.product_cumulative.append(total)

    def write_saved_queries(self, at: dt.datetime) -> None:
        q = self.code
        rows = [
            ("Asiakkaat piireittäin", "Asiakkaiden määrä piireittäin",
             f"SELECT piiri, COUNT(*) AS asiakkaita FROM asiakas WHERE yhtio = '{q}' AND laji != 'P' GROUP BY piiri ORDER BY piiri"),
            ("Asiakkaat myyjittäin", "Asiakkaiden määrä myyjittäin",
             f"SELECT myyjanro, COUNT(*) AS asiakkaita FROM asiakas WHERE yhtio = '{q}' AND laji != 'P' GROUP BY myyjanro ORDER BY myyjanro"),
            ("Suurimmat asiakkaat", "Laskutettu myynti asiakkaittain, 20 suurinta",
             f"SELECT ytunnus, nimi, SUM(arvo) AS myynti FROM lasku WHERE yhtio = '{q}' AND tila = 'L' AND alatila = 'X' GROUP BY ytunnus, nimi ORDER BY myynti DESC LIMIT 20"),
        ]
        self.write_dicts(self.gen.t_saved, [{
            "company": q, "owner": DEMO_USER, "search": "sql-query", "name": name, "description": text,
            "variable": "query", "value": sql, "created_by": DEMO_USER, "created_at": at, "modified_by": DEMO_USER,
            "modified_at": at,
        } for name, text, sql in rows])

    # -- the customer blocks ---------------------------------------------------------------------
    def customers(self) -> None:
        g = self.gen
        for start in range(0, self.n_customers, BLOCK_CUSTOMERS):
            count = min(BLOCK_CUSTOMERS, self.n_customers - start)
            with g.database.atomic():
                block = g.writer.timed(g.t_customers, lambda: self.make_customers(start, count))
                custs = self.block_customers
                g.writer.timed(g.t_contacts, lambda: self.make_contacts(custs))
                g.writer.timed(g.t_discounts, lambda: self.make_discounts(custs))
                g.writer.timed(g.t_prices, lambda: self.make_prices(custs))
                g.writer.timed(g.t_invoice_rows, lambda: self.make_invoice_rows(custs))
                g.writer.timed(g.t_invoices, lambda: self.make_invoices())
                g.writer.timed(g.t_activities, lambda: self.make_memos(custs))
            self.made = start + len(block)
            g.report_progress(f"{self.code}: {self.made:,} of {self.n_customers:,} customers")

    def make_customers(self, start: int, count: int) -> list[tuple]:
        g = self.gen
        rng = self.rng
        rnd = rng.random
        first = g.writer.ids(g.t_customers, count)
        code = self.code
        custs: list[_Cust] = []
        rows = []
        for offset in range(count):
            i = start + offset
            c = _Cust()
            c.id = first + offset
            c.index = i
            self.make_one_customer(c, i)
            custs.append(c)
            if i % self.sample_stride == 0 and len(self.sample) < 2000:
                self.sample.append(c)
            login = self.by_salesperson.get(c.salesperson_no, DEMO_USER)
            created = c.since
            modified = created + dt.timedelta(days=int(rnd() * 400))
            if modified.date() > g.today:
                modified = created
            row = self.customer_row(c, rnd)
            rows.append((c.id, code) + row + (login, _stamp(created), login, _stamp(modified)))
        self.block_customers = custs
        return rows

    def make_one_customer(self, c: _Cust, i: int) -> None:
        g = self.gen
        rng = self.rng
        rnd = rng.random
        r = rnd()
        kind = ""
        foreign = None
        if i == 2 or (i > 20 and r < 0.09):
            kind = "H"
        elif i == 3 or (i > 20 and r < 0.16):
            kind = "R"
        elif i == 4 or (i > 20 and r < 0.19):
            kind = "P"
        elif i in (5, 6, 7) or (i > 20 and r < 0.22):
            foreign = ("SE", "EE", "DE")[i - 5] if i in (5, 6, 7) else self.pick(("SE", "SE", "EE", "DE"))
        c.kind = kind
        c.country = foreign or "FI"
        c.konserni = ""
        if i in (0, 1):
            group = "A"
        elif kind == "H":
            group = "C"
        else:
            r = rnd()
            group = "A" if r < 0.06 else "J" if r < 0.10 else "C" if r < 0.40 else "B"
        c.group = group
        c.size = {"A": 4.0, "J": 3.0, "B": 1.2, "C": 0.7}[group] * (0.6 + 0.8 * rnd())
        if i in (0, 1):
            c.size = 6.0  # big enough for the annual-contract report's default threshold
        c.since = dt.datetime.combine(g.today - dt.timedelta(days=200 + int(rnd() * 2500)), dt.time(8 + int(rnd() * 8), int(rnd() * 4) * 15))
        c.customer_no = str(self.customer_no)
        self.customer_no += 1
        c.name_extra = ""
        parent = None
        if kind == "" and not foreign and self.group_parents and (i == 20 or (i > 20 and rnd() < 0.04)):
            parent = self.group_parents[0] if i == 20 else self.pick(self.group_parents)
        if foreign:
            language, phone_prefix, places, names = FOREIGN[foreign]
            postcode, city, street = self.pick(places)
            c.name = self.pick(names)
            c.postcode, c.city = postcode, city
            c.address = f"{street} {self.between(1, 120)}"
            c.district = EXPORT_DISTRICT
            c.business_id = {
                "SE": lambda: f"556{self.between(100, 999)}-{self.between(1000, 9999)}",
                "EE": lambda: f"1{self.between(1000000, 9999999)}",
                "DE": lambda: f"DE{self.between(100000000, 999999999)}",
            }[foreign]()
            c.mobile = ""
            c.area = phone_prefix
            c.language = language
        else:
            town = self.pick(TOWNS)
            c.postcode, c.city, c.district = town[0], town[1], town[2]
            c.area = town[3]
            c.language = town[5]
            if kind == "H":
                first_name = self.pick(MALE_NAMES if rnd() < 0.5 else FEMALE_NAMES)
                c.name = f"{self.pick(SURNAMES)} {first_name}"
                c.address = f"{self.pick(STREETS)} {self.between(1, 80)} {self.pick('ABCDEF')} {self.between(1, 40)}"
                c.business_id = c.customer_no  # a private person has no business id
            elif parent is not None:
                c.name = parent.name
                c.name_extra = f"{town[4]} toimipiste"
                c.address = f"{self.pick(STREETS)} {self.between(1, 120)}"
                c.business_id = parent.business_id
                c.konserni = parent.customer_no
            else:
                c.name = self.company_name_for(i, town)
                c.address = f"PL {self.between(10, 999)}" if rnd() < 0.05 else f"{self.pick(STREETS)} {self.between(1, 120)}"
                c.business_id = g.next_business_id()
                if kind == "" and (i == 0 or rnd() < 0.05):
                    c.konserni = c.customer_no
                    self.group_parents.append(c)
                    if len(self.group_parents) > 50:
                        self.group_parents.pop(0)
            if i - 8 in range(len(SPECIAL_NAMES)) and self.code == DEMO_COMPANY:
                c.name, c.name_extra = SPECIAL_NAMES[i - 8]
            c.mobile = self.phone(self.pick(('040', '041', '044', '045', '050'))) if rnd() < 0.6 else ""
        if c.district == EXPORT_DISTRICT:
            salesperson = 5 if 5 in self.by_salesperson else 1
        elif group == "A":
            salesperson = 1
        else:
            salesperson = {"1": 2, "2": 2}.get(c.district, 3)
            if rnd() < 0.1:
                salesperson = self.pick((1, 2, 3, 4))
        if salesperson not in self.by_salesperson:
            salesperson = self.pick(sorted(self.by_salesperson))
        c.salesperson_no = salesperson

    def company_name_for(self, i: int, town: tuple) -> str:
        rng = self.rng
        pattern = rng.randrange(8)
        surname = self.pick(SURNAMES)
        form = self.pick(FORMS)
        if pattern == 0 and town[4]:
            return f"{town[4]} {self.pick(TRADES)} {form}"
        if pattern == 1:
            return f"{self.pick(TRADES)}-{surname} {form}"
        if pattern == 2:
            first = self.pick(MALE_NAMES + FEMALE_NAMES)
            return f"Tmi {first} {surname}"
        if pattern == 3:
            return f"{surname} & {self.pick(SURNAMES)} Ay"
        if pattern == 4:
            return f"Oy {self.pick(COMPANY_WORDS)} {self.pick(TRADES)} Ab"
        if pattern == 5:
            return f"{self.pick(COMPANY_WORDS)} Group Oy"
        if pattern == 6 and surname.endswith("nen"):
            return f"{surname[:-3]}sen {self.pick(TRADES)} {form}"
        return f"{surname} {form}"

    def customer_row(self, c: _Cust, rnd) -> tuple:
        """The asiakas columns between (id, company) and the audit columns; see CUSTOMER_COLUMNS."""
        area = c.area
        has_phone = rnd() < 0.85
        if c.country == "FI":
            phone = self.phone(area) if has_phone else ""
        else:
            phone = area + self.phone("")[1:] if has_phone else ""
        if c.kind == "H":
            email = f"{_ascii_slug(c.name).replace('-', '.')}@posti.example" if rnd() < 0.5 else ""
        else:
            email = f"{self.pick(('info', 'myynti', 'laskutus', 'ostot'))}@{_domain(c.name)}.example" if rnd() < 0.8 else ""
        work_phone = self.phone(area) if c.kind != "H" and rnd() < 0.2 else ""
        fax = self.phone(area) if c.kind != "H" and rnd() < 0.05 else ""
        if c.kind in ("", "R") and rnd() < 0.15:
            town = self.pick(TOWNS)
            delivery = (c.name, self.pick(("Työmaa", "Varasto", "Lastauslaituri 3", "")),
                        f"{self.pick(STREETS)} {self.between(1, 200)}", town[0], town[1], "FI")
        else:
            delivery = ("", "", "", "", "", "")
        if c.kind == "P":
            status = "E"
        elif c.kind == "R":
            status = "U"
        else:
            status = "L" if rnd() < 0.03 else "A"
        if c.kind == "H":
            department = PRIVATE_DEPARTMENT[0]
        else:
            department = self.pick(CUSTOMER_DEPARTMENTS)[0]
        edi = f"0037{c.business_id.replace('-', '')}" if c.country == "FI" and c.kind != "H" else ""
        facts = self.pick(CUSTOMER_FACTS) if rnd() < 0.2 or c.index in (0, 8) else ""
        c.discounts = None
        return (c.kind, status, c.business_id, edi, c.customer_no, c.name, c.name_extra, c.address,
                c.postcode, c.city, c.country, email, phone, c.mobile, work_phone, fax) + delivery + (
                c.konserni, c.district, c.group, department, c.language, facts, c.salesperson_no, "EUR")

    def make_contacts(self, custs: list[_Cust]) -> list[tuple]:
        g = self.gen
        rng = self.rng
        rnd = rng.random
        plan = []
        for c in custs:
            if c.kind == "H":
                n = 0
            elif c.group == "A":
                n = 2 + int(rnd() * 3)
            else:
                n = int(rnd() * 3.2)
            if c.index in (0, 1):
                n = max(n, 2)
            plan.append(n)
        first = g.writer.ids(g.t_contacts, sum(plan))
        next_id = first
        rows = []
        code = self.code
        for c, n in zip(custs, plan):
            c.contacts = list(range(next_id, next_id + n))
            slug = _domain(c.name)
            login = self.by_salesperson.get(c.salesperson_no, DEMO_USER)
            stamp = _stamp(c.since)
            for _ in range(n):
                first_name = self.pick(MALE_NAMES if rnd() < 0.5 else FEMALE_NAMES)
                surname = self.pick(SURNAMES)
                email = f"{_ascii_slug(first_name)}.{_ascii_slug(surname)}@{slug}.example"
                if len(email) > 50:
                    email = f"{_ascii_slug(first_name)[0]}.{_ascii_slug(surname)}@{slug[:20]}.example"
                if rnd() < 0.15:
                    email = ""
                gsm = self.phone(self.pick(('040', '044', '050'))) if rnd() < 0.8 else ""
                phone = self.phone(c.area) if rnd() < 0.3 else ""
                facts = self.pick(CONTACT_FACTS) if rnd() < 0.15 else ""
                rows.append((next_id, code, "A", c.id, f"{first_name} {surname}", self.pick(TITLES),
                             self.pick(ROLES), email, phone, gsm, "", facts, login, stamp, login, stamp))
                next_id += 1
        return rows

    def _validity(self, rnd) -> tuple:
        """(alkupvm, loppupvm) as database values: open, current, or expired."""
        g = self.gen
        r = rnd()
        if r < 0.5:
            return g.zero_date, g.zero_date
        start = g.today - dt.timedelta(days=30 + int(rnd() * 700))
        if r < 0.8:
            end = g.today + dt.timedelta(days=30 + int(rnd() * 365))
        else:
            end = g.today - dt.timedelta(days=1 + int(rnd() * 25))
        if r < 0.65:
            return start.isoformat(), g.zero_date
        return start.isoformat(), end.isoformat()

    def make_discounts(self, custs: list[_Cust]) -> list[tuple]:
        """asiakasalennus: percentages by customer or business id, on a discount group or a product."""
        g = self.gen
        rng = self.rng
        rnd = rng.random
        rows = []
        code = self.code
        for c in custs:
            if c.kind not in ("", "H") or not (rnd() < (0.6 if c.group in "AJ" else 0.15) or c.index in (0, 1, 9)):
                continue
            by_business_id = c.kind == "" and c.country == "FI" and (c.index == 0 or rnd() < 0.3)
            login = self.by_salesperson.get(c.salesperson_no, DEMO_USER)
            stamp = _stamp(c.since)
            discounts = {}
            for _ in range(1 + int(rnd() * 3)):
                percent = self.pick((5, 8, 10, 12, 15, 20, 25))
                alkupvm, loppupvm = self._validity(rnd)
                if rnd() < 0.7:
                    group, product = f"A{self.between(1, len(CATALOGUE))}", ""
                    if loppupvm == g.zero_date and not by_business_id:
                        discounts[group] = percent
                else:
                    group, product = "", self.pick(self.products).number
                rows.append((code, product, group, 0 if by_business_id else c.id,
                             c.business_id if by_business_id else "", self.pick((0, 0, 0, 10)),
                             alkupvm, loppupvm, f"{percent}.00", 1, login, stamp, login, stamp))
            c.discounts = discounts or None
        first = g.writer.ids(g.t_discounts, len(rows))
        return [(first + n,) + row for n, row in enumerate(rows)]

    def make_prices(self, custs: list[_Cust]) -> list[tuple]:
        """asiakashinta: a customer's own price of a product, by customer or business id."""
        g = self.gen
        rng = self.rng
        rnd = rng.random
        rows = []
        code = self.code
        for c in custs:
            if c.kind != "" or not (rnd() < (0.4 if c.group in "AJ" else 0.07) or c.index in (0, 10)):
                continue
            by_business_id = c.country == "FI" and (c.index == 0 or rnd() < 0.3)
            login = self.by_salesperson.get(c.salesperson_no, DEMO_USER)
            stamp = _stamp(c.since)
            for product in rng.sample(self.products, 1 + int(rnd() * 3)):
                alkupvm, loppupvm = self._validity(rnd)
                price = round(product.prices[0] * rng.uniform(0.80, 0.95))
                rows.append((code, product.number, 0 if by_business_id else c.id,
                             c.business_id if by_business_id else "", alkupvm, loppupvm,
                             f"{_money(price)}", "EUR", login, stamp, login, stamp))
        first = g.writer.ids(g.t_prices, len(rows))
        return [(first + n,) + row for n, row in enumerate(rows)]

    def invoice_plan(self, c: _Cust) -> int:
        rnd = self.rng.random
        if c.kind == "R":
            return 0
        if c.kind == "H":
            return int(rnd() * 3)
        if c.index in (0, 1):
            return 24
        mean = {"A": 24, "J": 14, "B": 3.6, "C": 1.0}[c.group]
        n = int(self.rng.expovariate(1 / mean) + 0.5)
        if c.kind == "P":
            n = min(n, 3)
        return min(n, 90)

    def make_invoice_rows(self, custs: list[_Cust]) -> list[tuple]:
        """tilausrivi for the block's invoices; the invoice headers are made from their totals."""
        g = self.gen
        rng = self.rng
        rnd = rng.random
        days = g.days
        n_days = len(days)
        old_days = max(1, n_days // 2)
        by_years = self.catalogue_by_years
        cumulative = self.product_cumulative
        total_weight = cumulative[-1]
        last_product = len(cumulative) - 1
        where = bisect.bisect
        expovariate = rng.expovariate
        code = self.code
        plans = [self.invoice_plan(c) for c in custs]
        invoice_id = g.writer.ids(g.t_invoices, sum(plans))
        row_id = first_row = g.writer.ids(g.t_invoice_rows, 0)
        headers = []
        rows = []
        append = rows.append
        for c, n_invoices in zip(custs, plans):
            if not n_invoices:
                continue
            login = self.by_salesperson.get(c.salesperson_no, DEMO_USER)
            size = c.size
            discounts = c.discounts
            span = old_days if c.kind == "P" else n_days
            for _ in range(n_invoices):
                day = days[int(rnd() * span)]
                iso, created, picked, delivered, _, _, _, _, vat, years = day
                catalogue = by_years[years]
                net = 0
                margin = 0
                n_rows = 1 + int(expovariate(0.45))
                if n_rows > 15:
                    n_rows = 15
                for _ in range(n_rows):
                    k = where(cumulative, rnd() * total_weight)
                    number, name, department, group, discount_group, price, cost, max_quantity = (
                        catalogue[k if k <= last_product else last_product])
                    quantity = 1 + int(rnd() * max_quantity * size)
                    if discounts and discount_group in discounts:
                        unit = price * (100 - discounts[discount_group])  # 1/10000 €
                        line = (quantity * unit + 50) // 100
                        unit_text = f"{unit / 10000:.4f}"
                    else:
                        line = quantity * price
                        unit_text = f"{price / 100:.2f}"
                    line_margin = line - quantity * cost
                    net += line
                    margin += line_margin
                    append((row_id, code, "L", invoice_id, number, name, department, group, quantity,
                            quantity, unit_text, vat, f"{line / 100:.2f}", f"{line_margin / 100:.2f}",
                            login, created, login, iso, iso, iso, picked, delivered))
                    row_id += 1
                headers.append((invoice_id, c, login, day, net, margin))
                invoice_id += 1
        self.block_headers = headers
        g.writer.ids(g.t_invoice_rows, row_id - first_row)
        return rows

    def make_invoices(self) -> list[tuple]:
        code = self.code
        zero_date = self.gen.zero_date
        zero_time = self.gen.zero_datetime
        rows = []
        for invoice_id, c, login, day, net, margin in self.block_headers:
            iso, created, picked, delivered, invoiced, due, paid, vat_permille, _, _ = day
            gross = net + (net * vat_permille + 500) // 1000
            paid_date = paid[:10] if paid else zero_date
            rows.append((invoice_id, code, "L", "X", self.invoice_no, c.id, c.business_id, c.name[:60],
                         c.name_extra, c.address[:45], c.postcode, c.city[:45], c.country, "EUR",
                         _money(net), _money(gross), _money(margin), c.salesperson_no, c.district,
                         iso, iso, zero_date, due, due, iso, picked, paid or zero_time, delivered, invoiced,
                         paid_date, login, created, login, invoiced))
            self.invoice_no += 1
        self.block_headers = []
        return rows

    def make_memos(self, custs: list[_Cust]) -> list[tuple]:
        """kalenteri Memo rows (with some replies, label and SMS memos, receivables notes)."""
        g = self.gen
        rng = self.rng
        rnd = rng.random
        days = g.days
        n_days = len(days)
        recent = max(1, n_days // 3)
        methods = (CALL, CALL, CALL, VISIT, VISIT, EMAIL, EMAIL, MEETING, OFFER)
        code = self.code
        specs = []  # (kind, c, login, method, text, start, contact, parent offset)
        for c in custs:
            if c.kind == "R":
                n = 1 + int(rnd() * 3)
            elif c.kind == "P":
                n = int(rnd() * 1.5)
            elif c.group == "A":
                n = 3 + int(rnd() * 5)
            else:
                n = int(rnd() * 2.4)
            if c.index < 8:
                n = max(n, 2)
            login = self.by_salesperson.get(c.salesperson_no, DEMO_USER)
            for m in range(n):
                span = recent if c.kind == "R" else n_days
                day = days[n_days - 1 - int(rnd() * span)]
                start = f"{day[0]} {8 + int(rnd() * 9):02d}:{int(rnd() * 4) * 15:02d}:00"
                contact = c.contacts[int(rnd() * len(c.contacts))] if c.contacts and rnd() < 0.6 else 0
                kind = "Memo"
                if c.index == 12 and m == 0:
                    kind = "DELETED Memo"
                specs.append((kind, c, login, self.pick(methods), self.pick(MEMO_TEXTS), start, contact, None))
                if rnd() < 0.12:
                    specs.append(("Memo", c, login, CALL, self.pick(REPLY_TEXTS), start, contact, len(specs) - 1))
            if c.kind != "R" and (rnd() < 0.04 or c.index == 1):
                day = days[n_days - 1 - int(rnd() * n_days)]
                specs.append(("Memo", c, DEMO_USER, LABELS, self.pick(LABEL_MEMOS), f"{day[0]} 10:00:00", 0, None))
            if c.mobile and (rnd() < 0.03 or c.index == 0):
                day = days[n_days - 1 - int(rnd() * recent)]
                text = f"Tekstiviesti numeroon {c.mobile}: {self.pick(SMS_TEXTS)}"
                specs.append(("Memo", c, login, SMS, text, f"{day[0]} 09:30:00", 0, None))
            if c.kind == "" and (rnd() < 0.02 or c.index == 0):
                day = days[n_days - 1 - int(rnd() * recent)]
                specs.append(("Myyntireskontraviesti", c, DEMO_USER, "", self.pick(RECEIVABLES_TEXTS),
                              f"{day[0]} 13:00:00", 0, None))
        first = g.writer.ids(g.t_activities, len(specs))
        rows = []
        for n, (kind, c, login, method, text, start, contact, parent) in enumerate(specs):
            parent_id = first + parent if parent is not None else 0
            rows.append((first + n, code, login, c.business_id, contact, method, "", start, start, kind, "fi",
                         text, c.id, parent_id, login, start, login, start))
        return rows

    # -- the calendar, reminders, leads --------------------------------------------------------
    def calendar(self) -> None:
        g = self.gen
        rng = self.rng
        rnd = rng.random
        today = g.today
        slot = self.slot_minutes
        rows = []
        sample = self.sample or [None]
        customers = [c for c in sample if c is not None and c.kind != "P"] or [None]

        def entry(user, start, end, method, comment, customer=None, all_day=False, km="", per_diem=""):
            done = "K" if end.date() < today and rnd() < 0.8 else ""
            values = {
                **self.audit(user.login, start - dt.timedelta(days=int(rnd() * 14) + 1)),
                "owner": user.login, "method": method, "starts_at": start, "ends_at": end,
                "kind": "kalenteri", "language": "fi", "all_day": "x" if all_day else "",
                "text": comment, "kilometres": km, "per_diems": per_diem, "acknowledgement": done,
            }
            if customer is not None:
                values.update(business_id=customer.business_id, customer_id=customer.id,
                              contact_id=customer.contacts[0] if customer.contacts else 0)
            rows.append(values)

        for u_index, user in enumerate(self.calendar_users):
            holiday_start = today + dt.timedelta(days=10 + 7 * u_index)
            for offset in range(-45, 46):
                day = today + dt.timedelta(days=offset)
                if day.weekday() >= 5:
                    continue
                if holiday_start <= day < holiday_start + dt.timedelta(days=5):
                    entry(user, dt.datetime.combine(day, dt.time(0, 0)), dt.datetime.combine(day, dt.time(23, 59, 59)),
                          HOLIDAY, CALENDAR_COMMENTS[HOLIDAY][0], all_day=True)
                    continue
                if offset == 3 + u_index:
                    entry(user, dt.datetime.combine(day, dt.time(0, 0)), dt.datetime.combine(day, dt.time(23, 59, 59)),
                          TRAINING, self.pick(CALENDAR_COMMENTS[TRAINING]), all_day=True)
                    continue
                minute = 8 * 60
                for _ in range(int(rnd() * 4)):
                    minute += slot * int(rnd() * 4)
                    length = slot * (1 + int(rnd() * 4))
                    if minute + length > 17 * 60:
                        break
                    start = dt.datetime.combine(day, dt.time(minute // 60, minute % 60))
                    end = start + dt.timedelta(minutes=length)
                    minute += length
                    r = rnd()
                    if r < 0.45:
                        customer = self.pick(customers)
                        km = str(self.pick((12, 25, 38, 64, 120, 210)))
                        per_diem = self.pick(("", "", "1", "0,5"))
                        entry(user, start, end, VISIT, self.pick(CALENDAR_COMMENTS[VISIT]), customer, km=km, per_diem=per_diem)
                    elif r < 0.7:
                        entry(user, start, end, CALL, self.pick(CALENDAR_COMMENTS[CALL]), self.pick(customers))
                    elif r < 0.92:
                        entry(user, start, end, MEETING, self.pick(CALENDAR_COMMENTS[MEETING]))
                    else:
                        entry(user, start, end, DOCTOR, self.pick(CALENDAR_COMMENTS[DOCTOR]))
        self.write_dicts(g.t_activities, rows)
        self.reminders(customers)

    def reminders(self, customers: list) -> None:
        g = self.gen
        rng = self.rng
        rnd = rng.random
        now = dt.datetime.combine(g.today, dt.time(12, 0))
        per_user = max(8, min(200, self.n_customers // 40))
        kinds = ("overdue", "future", "acknowledged", "overdue", "future", "none", "future", "acknowledged")
        manager = next((u.login for u in self.users if u.position == "MP"), DEMO_USER)
        reminders = []
        acknowledgements = []
        for user in self.calendar_users:
            for n in range(per_user):
                kind = kinds[n % len(kinds)]
                if kind == "future":
                    day = g.today + dt.timedelta(days=int(rnd() * 30))
                else:
                    day = g.today - dt.timedelta(days=1 + int(rnd() * 60))
                start = dt.datetime.combine(day, dt.time(8 + int(rnd() * 9), int(rnd() * 4) * 15))
                if kind == "future" and start <= now:
                    start += dt.timedelta(days=1)
                customer = self.pick(customers)
                text = self.pick(REMINDER_TEXTS)
                values = {
                    **self.audit(manager if rnd() < 0.3 else user.login, start - dt.timedelta(days=3)),
                    "owner": user.login, "kind": "Muistutus", "method": CALL, "starts_at": start,
                    "ends_at": start + dt.timedelta(minutes=30), "language": "fi", "text": text,
                    "acknowledgement": {"none": "E", "acknowledged": ""}.get(kind, "K"),
                }
                if customer is not None:
                    values.update(business_id=customer.business_id, customer_id=customer.id)
                reminders.append(values)
                if kind == "acknowledged":
                    at = min(start + dt.timedelta(hours=2 + int(rnd() * 48)), now)
                    acknowledgements.append((len(reminders) - 1, {
                        **self.audit(user.login, at), "owner": user.login, "kind": "Kuittaus",
                        "starts_at": at, "ends_at": at, "language": "fi",
                        "text": f"{user.name} kuittasi: {self.pick(ACK_TEXTS)}",
                        "business_id": values.get("business_id", ""), "customer_id": values.get("customer_id", 0),
                    }))
        prospects = [c for c in customers if c is not None and c.kind == "R"] or customers
        salespeople = [u for u in self.calendar_users if u.position != "MP"] or self.calendar_users
        for n in range(max(3, min(50, self.n_customers // 100))):
            user = salespeople[n % len(salespeople)]
            start = dt.datetime.combine(g.today + dt.timedelta(days=int(rnd() * 20) - 5), dt.time(9, 0))
            customer = self.pick(prospects)
            values = {
                **self.audit(manager, start - dt.timedelta(days=2)), "owner": user.login, "supervisor": manager,
                "kind": "Lead", "method": CALL, "starts_at": start, "ends_at": start + dt.timedelta(minutes=30),
                "language": "fi", "text": self.pick(LEAD_TEXTS), "acknowledgement": "K",
            }
            if customer is not None:
                values.update(business_id=customer.business_id, customer_id=customer.id)
            reminders.append(values)
        first = g.writer.ids(g.t_activities, 0)
        self.write_dicts(g.t_activities, reminders)
        self.write_dicts(g.t_activities, [{**ack, "parent_id": first + index} for index, ack in acknowledgements])


CUSTOMER_COLUMNS = (
    "id", "company", "kind", "status", "business_id", "edi_id", "customer_no", "name", "name_extra",
    "address", "postcode", "city", "country", "email", "phone", "mobile", "work_phone", "fax",
    "delivery_name", "delivery_name_extra", "delivery_address", "delivery_postcode", "delivery_city",
    "delivery_country", "group", "district", "customer_group", "department", "language", "facts",
    "salesperson_no", "currency", "created_by", "created_at", "modified_by", "modified_at",
)
CONTACT_COLUMNS = (
    "id", "company", "kind", "customer_id", "name", "title", "role", "email", "phone", "mobile", "fax",
    "facts", "created_by", "created_at", "modified_by", "modified_at",
)
DISCOUNT_COLUMNS = (
    "id", "company", "product_no", "discount_group", "customer_id", "business_id", "min_quantity",
    "valid_from", "valid_to", "percent", "discount_kind", "created_by", "created_at", "modified_by",
    "modified_at",
)
PRICE_COLUMNS = (
    "id", "company", "product_no", "customer_id", "business_id", "valid_from", "valid_to", "price",
    "currency", "created_by", "created_at", "modified_by", "modified_at",
)
INVOICE_ROW_COLUMNS = (
    "id", "company", "kind", "invoice_id", "product_no", "name", "department", "product_group",
    "quantity", "ordered_quantity", "unit_price", "vat", "row_total", "margin", "created_by",
    "created_at", "invoiced_by", "invoiced_date", "delivery_date", "picking_date", "picked_at",
    "delivered_at",
)
INVOICE_COLUMNS = (
    "id", "company", "state", "substate", "invoice_no", "customer_id", "business_id", "name",
    "name_extra", "address", "postcode", "city", "country", "currency", "net", "total", "margin",
    "salesperson_no", "district", "invoice_date", "invoice_sent_date", "cash_discount_date",
    "due_date", "original_due_date", "delivery_date", "picking_at", "paid_at", "dispatch_note_at",
    "invoiced_at", "payment_date", "created_by", "created_at", "modified_by", "modified_at",
)
MEMO_COLUMNS = (
    "id", "company", "owner", "business_id", "contact_id", "method", "acknowledgement", "starts_at",
    "ends_at", "kind", "language", "text", "customer_id", "parent_id", "created_by", "created_at",
    "modified_by", "modified_at",
)


class _Generator:
    def __init__(self, database: peewee.Database, seed: int, today: dt.date, progress: Progress | None):
        self.database = database
        self.rng = random.Random(seed)
        self.today = today
        self.progress = progress
        self.stats = DemoStats()
        self.writer = w = _Writer(database, self.stats)
        self.t_company = _Table(w, Company)
        self.t_parameters = _Table(w, CompanyParameters)
        self.t_users = _Table(w, User)
        self.t_rights = _Table(w, Permission)
        self.t_keywords = _Table(w, Keyword)
        self.t_products = _Table(w, Product)
        self.t_saved = _Table(w, SavedSearch)
        self.t_customers = _Table(w, Customer, CUSTOMER_COLUMNS)
        self.t_contacts = _Table(w, Contact, CONTACT_COLUMNS)
        self.t_discounts = _Table(w, CustomerDiscount, DISCOUNT_COLUMNS)
        self.t_prices = _Table(w, CustomerPrice, PRICE_COLUMNS)
        self.t_invoice_rows = _Table(w, InvoiceRow, INVOICE_ROW_COLUMNS)
        self.t_invoices = _Table(w, Invoice, INVOICE_COLUMNS)
        self.t_activities = _Table(w, Activity, MEMO_COLUMNS)
        self.zero_date = Invoice.cash_discount_date.db_value(None)
        self.zero_datetime = Invoice.paid_at.db_value(None)
        self.days = self.working_days()
        start = self.rng.randrange(10_000_000)
        self._business_ids = (start + k * 7_654_321 for k in range(10**9))
        self._next_report = PROGRESS_EVERY

    def working_days(self) -> list[tuple]:
        """The weekdays of the sales period, each with the strings an invoice of that day needs."""
        out = []
        today = self.today
        day = _years_back(today, YEARS_OF_SALES)
        vat_change = dt.date(2024, 9, 1)  # 24 % -> 25.5 %
        while day <= today:
            if day.weekday() < 5:
                iso = day.isoformat()
                due = day + dt.timedelta(days=14)
                paid = _stamp(dt.datetime.combine(due - dt.timedelta(days=2), dt.time(6, 0))) if due < today else ""
                vat_permille = 255 if day >= vat_change else 240
                years = min(YEARS_OF_SALES, (today - day).days // 365)
                out.append((iso, f"{iso} 07:45:00", f"{iso} 09:10:00", f"{iso} 11:30:00", f"{iso} 16:00:00",
                            due.isoformat(), paid, vat_permille, "25.50" if vat_permille == 255 else "24.00", years))
            day += dt.timedelta(days=1)
        return out

    def next_business_id(self) -> str:
        """A unique valid Finnish business id (a permutation of 7-digit bases, check digit added)."""
        for k in self._business_ids:
            base = f"{k % 10_000_000:07d}"
            check = business_id_check_digit(base)
            if check is not None and base[0] != "0":
                return f"{base}-{check}"
        raise RuntimeError("out of business ids")

    def report_progress(self, where: str) -> None:
        if self.progress is None:
            return
        total = self.stats.total
        if total >= self._next_report:
            self._next_report = (total // PROGRESS_EVERY + 1) * PROGRESS_EVERY
            self.progress(f"{total:,} rows written ({where})")

    def run(self, customers: int) -> DemoStats:
        second_customers = max(5, customers // 10)
        companies = (
            _Company(self, DEMO_COMPANY, DEMO_COMPANY_NAME, customers, slot_minutes=30,
                     multi_user_calendar="K", city_index=11),
            _Company(self, SECOND_COMPANY, SECOND_COMPANY_NAME, second_customers, slot_minutes=15,
                     multi_user_calendar="", city_index=30),
        )
        for company in companies:
            with db.session(company.code, DEMO_USER):
                self.say(f"{company.code} ({company.company_name}): users, rights, keywords and products")
                with self.database.atomic():
                    company.setup()
                self.say(f"{company.code}: {company.n_customers:,} customers with contacts, prices, "
                         f"{YEARS_OF_SALES} years of invoices and memos")
                company.customers()
                self.say(f"{company.code}: calendar entries, reminders and leads")
                with self.database.atomic():
                    company.calendar()
        self.writer.finish()
        return self.stats

    def say(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)


def _refuse_if_present(database: peewee.Database) -> None:
    present = [
        c.company for c in Company.select_all_companies(Company.company)
        .where(Company.company.in_([DEMO_COMPANY, SECOND_COMPANY]))
        .order_by(Company.company)
    ]
    if present:
        which = f"company {present[0]}" if len(present) == 1 else f"companies {' and '.join(present)}"
        raise ValueError(
            f"the database already has {which}: the demo data is only made into a database "
            "without the demo companies"
        )


BULK_TABLES = (Customer, Contact, CustomerDiscount, CustomerPrice, Invoice, InvoiceRow, Activity)


@contextmanager
def _indexes_put_off(database: peewee.Database, empty: bool, stats: DemoStats, progress: Progress | None) -> Iterator[None]:
    """SQLite, empty database: drop the bulk tables' indexes and search-index triggers while
    loading; build the indexes and rebuild the search index (FTS5) after.

    Building an index over all rows at once is several times faster than keeping it up to date
    row by row. Everything is put back with its own CREATE statement even when the load fails;
    a database that had rows keeps its indexes and triggers throughout.
    """
    if not (empty and isinstance(database, peewee.SqliteDatabase)):
        yield
        return
    tables = [m._meta.table_name for m in BULK_TABLES]
    marks = ", ".join("?" * len(tables))
    indexes = database.execute_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks}) AND sql IS NOT NULL",
        tables,
    ).fetchall()
    fts = search_index.FTS_TABLE
    triggers = [
        (name, sql) for name, sql in database.execute_sql(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({marks})", tables
        ) if fts in sql
    ]
    for name, _ in indexes:
        database.execute_sql(f'DROP INDEX "{name}"')
    for name, _ in triggers:
        database.execute_sql(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        if progress is not None:
            progress(f"building {len(indexes)} indexes" + (" and the search index" if triggers else ""))
        started = time.perf_counter()
        with database.atomic():
            for _, sql in indexes + triggers:
                database.execute_sql(sql)
            if triggers:
                search_index.rebuild(database)
        stats.index_seconds = time.perf_counter() - started


def _is_empty() -> bool:
    return not any(m.select_all_companies().exists() for m in (Company, Customer, Invoice, InvoiceRow, Activity))


@contextmanager
def _bulk_load_settings(database: peewee.Database, empty: bool) -> Iterator[None]:
    """SQLite: a bigger page cache and rarer checkpoints while loading, and, into an empty file,
    no fsync (a crash can only lose demo data); the connection's settings come back after."""
    if not isinstance(database, peewee.SqliteDatabase):
        yield
        return
    settings = {"cache_size": -262_144, "wal_autocheckpoint": 10_000}  # 256 MB, 40 MB of WAL
    if empty:
        settings["synchronous"] = 0
    saved = {name: int(database.execute_sql(f"PRAGMA {name}").fetchone()[0]) for name in settings}
    try:
        for name, value in settings.items():
            database.execute_sql(f"PRAGMA {name} = {int(value)}")
        yield
    finally:
        for name, value in saved.items():
            database.execute_sql(f"PRAGMA {name} = {value}")


def generate(
    database: peewee.Database,
    *,
    customers: int = DEFAULT_CUSTOMERS,
    seed: int = 1,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> DemoStats:
    """Fill `database` (with pupetui's or Pupesoft's tables) with the demo companies.

    `customers` is the first company's number of customers; the second gets a tenth (at least 5).
    The same seed and `today` give the same data. ValueError if a demo company exists already.
    """
    if customers < 1:
        raise ValueError("the demo needs at least one customer")
    database = getattr(database, "obj", None) or database
    today = today or dt.date.today()
    with database.bind_ctx(ALL_MODELS):
        _refuse_if_present(database)
        empty = _is_empty()
        generator = _Generator(database, seed, today, progress)
        with _bulk_load_settings(database, empty):
            with _indexes_put_off(database, empty, generator.stats, progress):
                generator.run(customers)
        generator.say(f"done: {generator.stats.total:,} rows")
        return generator.stats
