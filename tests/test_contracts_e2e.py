"""End to end in a real terminal (tmux, 80x24): the annual-contract customers report from the main
menu to Excel and PDF files on disk, by keyboard only."""

from __future__ import annotations

import time

import openpyxl
import pypdf

from pupetui import db
from pupetui.services import schema
from test_contracts_output import seed
from test_e2e_tmux import assert_clean_exit, pupetui, tmux  # noqa: F401 - tmux is a fixture


def make_database(path) -> str:
    url = f"sqlite:///{path}"
    d = db.open_database(url)
    schema.init(d)
    d.close()
    seed(url)
    db.database.close()
    return url


def run_report(tmux, kind_steps: int) -> None:
    """In the form: the period 1.3.2024-28.2.2025, the file type `kind_steps` below PDF, run, yes."""
    tmux.wait_for("Period from", "Sales over", "Save the files only")
    time.sleep(0.5)  # the form has its focus
    tmux.keys("End", "C-u")
    tmux.type("01.03.2024")
    tmux.wait_for("01.03.2024")
    tmux.keys("Tab", "End", "C-u")
    tmux.type("28.02.2025")
    tmux.wait_for("28.02.2025")
    tmux.keys("Tab", "Tab", "Tab")  # threshold, customer, file type
    if kind_steps:
        tmux.keys("Enter")
        tmux.wait_for("Excel")  # the list is open
        tmux.keys(*["Down"] * kind_steps)
        tmux.keys("Enter")
        tmux.wait_for("File type         Excel")
    tmux.wait_for("File type         Excel" if kind_steps else "File type         PDF")
    tmux.keys("C-s")
    tmux.wait_for("Write 4", "files to")
    tmux.keys("y")


def test_the_report_to_excel_and_pdf_in_a_real_terminal(tmux, tmp_path):  # noqa: F811
    url = make_database(tmp_path / "e2e.sqlite3")
    tmux.start(pupetui("--db", url, "--company", "acme", "--user", "matti", "--lang", "en"))
    tmux.wait_for("Main menu", "Annual-contract customers")
    tmux.keys("v")
    run_report(tmux, 1)
    screen = tmux.wait_for("4 files written", timeout=60)
    assert "Traceback" not in screen
    files = sorted(tmux.home.glob("*.xlsx"))
    assert len(files) == 4, screen
    rows = [r for r in openpyxl.load_workbook(files[0]).active.iter_rows(values_only=True)]
    assert any(r[0] == "Total" and r[3] == 12000.5 for r in rows)
    # again as PDF: the report was made, so Esc leaves without asking (nothing is lost)
    tmux.keys("Escape")
    screen = tmux.wait_for("Main menu")
    assert "Discard them?" not in screen
    tmux.keys("v")
    run_report(tmux, 0)
    tmux.wait_for("4 files written", timeout=60)
    pdfs = sorted(tmux.home.glob("*.pdf"))
    assert len(pdfs) == 4
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(str(pdfs[0])).pages)
    assert "Purchases report" in text and "12,000.50" in text and "Page 1/1" in text
    tmux.keys("Escape")
    tmux.wait_for("Main menu")
    tmux.keys("C-q")
    assert_clean_exit(tmux)
