"""Which database drivers peewee sees, and modules imported when first used (a fast start).

peewee, when it is itself imported, imports every database driver it finds installed
(psycopg2, psycopg 3, PyMySQL: a tenth of a second together, more than all of pupetui's own
modules), and playhouse's URL parser imports them again for its extensions. A process works on
one database and needs one driver at most, SQLite none. `import_peewee_for(url)`, called by the
`pupetui` command once it knows the URL and before anything else imports peewee, imports peewee
(and playhouse's URL parser, which SQLite does without) with the drivers that URL does not
need out of sight; for the
database in use peewee is exactly what it always is. A later call, or peewee imported before,
changes nothing (tests, other programs importing pupetui: every driver as usual).

`lazy_import(name)`: the module, executed at the first use of one of its attributes (the
command's own imports of the database modules, which must wait for the choice above).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from urllib.parse import urlparse

POSTGRES_DRIVERS = ("psycopg2cffi", "psycopg2", "psycopg")
MYSQL_DRIVERS = ("pymysql", "MySQLdb")
NOT_NEEDED = {
    "sqlite": POSTGRES_DRIVERS + MYSQL_DRIVERS,
    "mysql": POSTGRES_DRIVERS,
    "mariadb": POSTGRES_DRIVERS,
    "postgres": MYSQL_DRIVERS,
    "postgresql": MYSQL_DRIVERS,
}


def import_peewee_for(url: str) -> bool:
    """Import peewee (and playhouse.db_url) without the drivers `url` does not need.
    False when peewee was imported already (nothing is hidden then)."""
    if "peewee" in sys.modules:
        return False
    scheme = urlparse(url).scheme.split("+")[0].lower()
    # a driver imported already costs nothing more, and an import must never lose it
    hidden = [name for name in NOT_NEEDED.get(scheme, ()) if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # `import name` raises ImportError
    try:
        importlib.import_module("peewee")
        if scheme != "sqlite":  # pupetui.db opens a plain SQLite URL without the URL parser
            importlib.import_module("playhouse.db_url")
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]
    return True


def lazy_import(name: str) -> ModuleType:
    """The module `name`, its code run when one of its attributes is first used."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r}", name=name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)
    return module
