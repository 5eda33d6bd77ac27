"""Creating pupetui's tables on an empty database, and checking a database against the models."""

from __future__ import annotations

from dataclasses import dataclass, field

import peewee

from pupetui.models import ALL_MODELS
from pupetui.services import search_index


@dataclass
class TableProblem:
    table: str
    missing_table: bool = False
    missing_columns: list[str] = field(default_factory=list)
    # NOT NULL columns without a default that pupetui does not fill: inserts would fail
    unfilled_required: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.missing_table:
            return f"table {self.table} is missing"
        parts = []
        if self.missing_columns:
            parts.append(f"table {self.table} lacks column(s): {', '.join(self.missing_columns)}")
        if self.unfilled_required:
            parts.append(
                f"table {self.table} has NOT NULL column(s) without a default that pupetui does "
                f"not fill: {', '.join(self.unfilled_required)}"
            )
        return "; ".join(parts)


@dataclass
class CheckReport:
    problems: list[TableProblem]
    tables_checked: int

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def blocking(self) -> list[TableProblem]:
        """Problems that stop pupetui from working: a missing table or column."""
        return [p for p in self.problems if p.missing_table or p.missing_columns]

    def lines(self) -> list[str]:
        if self.ok:
            return [f"ok: all {self.tables_checked} tables have every column pupetui uses"]
        return [p.describe() for p in self.problems]


def check(db: peewee.Database) -> CheckReport:
    existing = set(db.get_tables())
    problems: list[TableProblem] = []
    for model in ALL_MODELS:
        table = model._meta.table_name
        if table not in existing:
            problems.append(TableProblem(table, missing_table=True))
            continue
        columns = {c.name: c for c in db.get_columns(table)}
        wanted = {f.column_name for f in model._meta.sorted_fields}
        missing = sorted(wanted - set(columns))
        unfilled = sorted(
            name
            for name, col in columns.items()
            if name not in wanted and not col.null and col.default is None and not col.primary_key
        )
        if missing or unfilled:
            problems.append(TableProblem(table, missing_columns=missing, unfilled_required=unfilled))
    return CheckReport(problems=problems, tables_checked=len(ALL_MODELS))


def add_missing_columns(db: peewee.Database) -> list[str]:
    """Bring a database of pupetui's own (the demo's) up to the models: add each column a table
    lacks, filled with the model's default. Never for a Pupesoft database, which pupetui leaves
    as it is (`check` names what it lacks). Returns "table.column" of each column added.

    A column is added in place (ALTER TABLE ... ADD COLUMN, nullable, then filled): a SQLite
    table is never rebuilt, so the search index's view and triggers on it stay as they are."""
    from playhouse.migrate import SchemaMigrator  # noqa: PLC0415 - only on an upgrade

    existing = set(db.get_tables())
    added: list[str] = []
    migrator = SchemaMigrator.from_database(getattr(db, "obj", db))
    with db.bind_ctx(ALL_MODELS), db.atomic():
        for model in ALL_MODELS:
            table = model._meta.table_name
            if table not in existing:
                continue
            have = {c.name for c in db.get_columns(table)}
            for f in model._meta.sorted_fields:
                if f.column_name in have:
                    continue
                null, f.null = f.null, True
                try:
                    migrator.alter_add_column(table, f.column_name, f).run()
                finally:
                    f.null = null
                default = f.default() if callable(f.default) else f.default
                value = f.db_value(default)
                if value is not None:
                    rows = peewee.Table(table).bind(db)
                    rows.update({getattr(rows.c, f.column_name): value}).execute()
                added.append(f"{table}.{f.column_name}")
    return added


def init(db: peewee.Database) -> list[str]:
    """Create the tables that are missing; existing tables are never altered. Returns the created."""
    existing = set(db.get_tables())
    created = [m._meta.table_name for m in ALL_MODELS if m._meta.table_name not in existing]
    with db.bind_ctx(ALL_MODELS):
        db.create_tables([m for m in ALL_MODELS if m._meta.table_name in created], safe=True)
    if "asiakas" in created:
        # pupetui's own customer table gets the engine's search index (kept in step by the
        # database); an existing Pupesoft table is left as it is (`pupetui index` adds it).
        search_index.ensure(db)
    return created
