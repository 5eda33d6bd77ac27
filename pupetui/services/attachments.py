"""Files Pupesoft attaches to rows (liitetiedostot: liitos = what kind of row, liitostunnus = which).

pupetui neither shows nor stores them; it treats them as Pupesoft does when the row they belong to
goes: deleted with a calendar entry (crm/kalenteri.php POISTA), marked 'DELETED ' with a memo entry
(crm/asiakasmemo.php POISTAMEMO). The table is not one pupetui needs (not in models.ALL_MODELS: not
created, checked or offered to the query generator), so it is touched only where it exists."""

from __future__ import annotations

from pupetui import db
from pupetui.models.activity import DELETED_PREFIX
from pupetui.models.company import Audited
from pupetui.models.fields import CharField, IntegerField


class Attachment(Audited):
    """liitetiedostot (scoped to the session's company as every model is)."""

    link = CharField(50, column_name="liitos")
    linked_id = IntegerField(column_name="liitostunnus")
    filename = CharField(50, column_name="filename")

    class Meta:
        table_name = "liitetiedostot"


def _present() -> bool:
    return db.database.table_exists(Attachment._meta.table_name)


def delete(link: str, row_id: int) -> int:
    """Delete the files of row `row_id` whose liitos is `link`; how many."""
    if not _present():
        return 0
    return Attachment.delete().where((Attachment.link == link) & (Attachment.linked_id == row_id)).execute()


def mark_deleted(link: str, row_id: int) -> int:
    """Prefix the liitos of row `row_id`'s files with 'DELETED ', as Pupesoft's memo does."""
    if not _present():
        return 0
    ids = [a.id for a in Attachment.select(Attachment.id).where(
        (Attachment.link == link) & (Attachment.linked_id == row_id))]
    if ids:  # one value for all (no CONCAT: SQLite has none)
        Attachment.update(link=(DELETED_PREFIX + link)[:50]).where(Attachment.id.in_(ids)).execute()
    return len(ids)
