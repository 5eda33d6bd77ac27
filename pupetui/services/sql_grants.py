"""The read-only database accounts for the SQL search, as SQL to run once as an administrator
(`pupetui sql --grant-recipe mysql|postgres [--company CODE]`, and the README shows the same).

Made from services.secrets, the one list of secret columns, so a column added there is left
out of the grants here too (a test runs the recipes on real servers and compares the README's
with these).

- every company (Pupesoft's behaviour): SELECT on every table, and on the tables that hold
  secrets only their other columns;
- one company (`sql.company_only`): a schema (PostgreSQL) or a database (MariaDB) of views, one
  per table that has a yhtio column, `WHERE yhtio = 'CODE'`, without the secret columns, and
  the account may read only those views. PostgreSQL's views are `security_barrier`, so a
  condition of the query cannot see the rows of other companies before the view's own does.
  Tables without a yhtio column (maat, valuu_historia, ...) are not in the views.
"""

from __future__ import annotations

import re

from pupetui.services.secrets import SECRET_COLUMNS

ENGINES = ("mysql", "postgres")
DEFAULT_DATABASE = "pupesoft"
DEFAULT_PASSWORD = "a long random password"
_PLAIN = re.compile(r"[A-Za-z0-9_]{1,32}")


class RecipeError(ValueError):
    """A name that cannot go into the recipe as it is."""


def _plain(what: str, value: str) -> str:
    if not _PLAIN.fullmatch(value or ""):
        raise RecipeError(f"{what} {value!r} must be letters, digits or _ (at most 32)")
    return value


def account_name(company: str | None = None) -> str:
    """The recipe's account: pupetui_ro, or pupetui_<company> for one company's."""
    return f"pupetui_{company.lower()}" if company else "pupetui_ro"


def secret_tables() -> list[str]:
    return sorted(SECRET_COLUMNS)


def _pairs() -> list[tuple[str, str]]:
    return sorted((t, c) for t, columns in SECRET_COLUMNS.items() for c in columns)


def _pair_list(indent: str, per_line: int = 3) -> str:
    items = [f"('{t}', '{c}')" for t, c in _pairs()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return (",\n" + indent).join(lines)


def _name_list() -> str:
    return ", ".join(f"'{t}'" for t in secret_tables())


def grant_recipe(engine: str, *, database: str = DEFAULT_DATABASE, company: str | None = None,
                 account: str | None = None, password: str = DEFAULT_PASSWORD) -> str:
    """The SQL that makes the SQL search's read-only account (see the module's docstring)."""
    if engine not in ENGINES:
        raise RecipeError(f"the recipe is for mysql or postgres, not {engine!r}")
    database = _plain("the database", database)
    if company is not None:
        company = _plain("the company", company)
    account = _plain("the account", account or account_name(company))
    if "'" in password or "\\" in password:
        raise RecipeError("the password may not contain ' or \\")
    if engine == "mysql":
        return _mysql(database, company, account, password)
    return _postgres(database, company, account, password)


def _mysql(database: str, company: str | None, account: str, password: str) -> str:
    user = f"'{account}'@'%'"
    head = f"CREATE USER {user} IDENTIFIED BY '{password}';\n"
    if company is None:
        return head + f"""\
-- every table, whole, except those that hold secrets:
SELECT CONCAT('GRANT SELECT ON `', table_schema, '`.`', table_name, '` TO ''{account}''@''%'';')
  FROM information_schema.tables
 WHERE table_schema = '{database}'
   AND table_name NOT IN ({_name_list()});
-- those without their secret columns:
SELECT CONCAT('GRANT SELECT (', GROUP_CONCAT(CONCAT('`', column_name, '`') ORDER BY ordinal_position),
              ') ON `{database}`.`', table_name, '` TO ''{account}''@''%'';')
  FROM information_schema.columns
 WHERE table_schema = '{database}'
   AND table_name IN ({_name_list()})
   AND (table_name, column_name) NOT IN (
       {_pair_list("       ")})
 GROUP BY table_name;
"""
    views = f"{database}_{company.lower()}"
    return head + f"""\
CREATE DATABASE `{views}`;
-- one view per table with a yhtio column, only company {company}'s rows, no secret columns:
SELECT CONCAT('CREATE VIEW `{views}`.`', table_name, '` AS SELECT ',
              GROUP_CONCAT(CONCAT('`', column_name, '`') ORDER BY ordinal_position),
              ' FROM `{database}`.`', table_name, '` WHERE yhtio = ''{company}'';')
  FROM information_schema.columns
 WHERE table_schema = '{database}'
   AND (table_name, column_name) NOT IN (
       {_pair_list("       ")})
   AND table_name IN (SELECT table_name FROM information_schema.columns
                       WHERE table_schema = '{database}' AND column_name = 'yhtio')
 GROUP BY table_name;
-- run the CREATE VIEW statements it prints, then:
GRANT SELECT ON `{views}`.* TO {user};
-- and connect to the views: readonly_url = "mysql://{account}:...@host/{views}"
"""


def _postgres(database: str, company: str | None, account: str, password: str) -> str:
    head = f"""\
CREATE ROLE {account} LOGIN PASSWORD '{password}';
ALTER ROLE {account} SET default_transaction_read_only = on;
GRANT CONNECT ON DATABASE {database} TO {account};
"""
    if company is None:
        return head + f"""\
GRANT USAGE ON SCHEMA public TO {account};
GRANT SELECT ON ALL TABLES IN SCHEMA public TO {account};
-- the tables that hold secrets: only their other columns
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT table_name, string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) AS columns
             FROM information_schema.columns
            WHERE table_schema = 'public'
              AND table_name IN ({_name_list()})
              AND (table_name::text, column_name::text) NOT IN (VALUES
                  {_pair_list("                  ")})
            GROUP BY table_name
  LOOP
    EXECUTE format('REVOKE SELECT ON public.%I FROM {account}', r.table_name);
    EXECUTE format('GRANT SELECT (%s) ON public.%I TO {account}', r.columns, r.table_name);
  END LOOP;
END $$;
"""
    return head + f"""\
CREATE SCHEMA {account};
-- one view per table with a yhtio column, only company {company}'s rows, no secret columns:
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT table_name, string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) AS columns
             FROM information_schema.columns
            WHERE table_schema = 'public'
              AND (table_name::text, column_name::text) NOT IN (VALUES
                  {_pair_list("                  ")})
              AND table_name IN (SELECT table_name FROM information_schema.columns
                                  WHERE table_schema = 'public' AND column_name = 'yhtio')
            GROUP BY table_name
  LOOP
    EXECUTE format('CREATE VIEW {account}.%I WITH (security_barrier) AS SELECT %s FROM public.%I WHERE yhtio = %L',
                   r.table_name, r.columns, r.table_name, '{company}');
  END LOOP;
END $$;
GRANT USAGE ON SCHEMA {account} TO {account};
GRANT SELECT ON ALL TABLES IN SCHEMA {account} TO {account};
ALTER ROLE {account} SET search_path = {account};
"""
