"""10,000 address labels to a PDF: pupetui's writer against a bare reportlab loop.

- labels: `services.labels.write_pdf` on the 3x11 sheet: the page geometry, fitting every line
  into its label (shrinking or cutting), drawing, the file written.
- baseline: a bare reportlab loop that draws the same strings at the same positions in the same
  font and sizes (the fitted lines computed before the clock starts), one `showPage` per sheet.
Both run in this one process, alternately, `--runs` times each; the medians and the minimums
are printed with their ratios (target: at most 1.2; on a shared, noisy machine the minimums say
more about the work each one does). The two PDFs are compared byte for byte: the baseline really
draws what the writer draws.

Figures only: nothing here fails for being slow.

    python bench/bench_labels.py [--labels 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pupetui.services import labels as L  # noqa: E402

FIRST = ["Aalto", "Mäkinen", "Virtanen", "Åström", "Öhman", "Järvinen", "Heikkilä", "Korhonen", "Nieminen"]
KINDS = ["Oy", "Ky", "Ab", "Tmi", "Osakeyhtiö", "Sähkö ja Kiinteistöhuolto Oy"]
STREETS = ["Mannerheimintie", "Hämeenkatu", "Äimäräutiontie", "Storgatan", "Pohjoisesplanadi"]
TOWNS = [("00100", "Helsinki", "FI"), ("33100", "Tampere", "FI"), ("90100", "Oulu", "FI"),
         ("111 22", "Stockholm", "SE"), ("SW1A 1AA", "London", "GB")]


def make_addresses(n: int) -> list[L.Address]:
    rnd = random.Random(1)
    out = []
    for i in range(n):
        postcode, town, country = rnd.choice(TOWNS)
        name = f"{rnd.choice(FIRST)} {rnd.choice(FIRST)} {rnd.choice(KINDS)} {i}"
        extra = "Myyntiosasto" if i % 4 == 0 else ""
        contact = f"{rnd.choice(FIRST)} {rnd.choice(FIRST)}" if i % 3 == 0 else ""
        lines, drop = L.address_lines(name, extra, f"{rnd.choice(STREETS)} {rnd.randint(1, 200)}", postcode,
                                      town, country, language="fi", contact=contact)
        out.append(L.Address(lines, i, "", contact, drop, ("",) * 6))
    return out


def bare_loop(path: Path, fitted: list[list[tuple[str, float, float]]], sheet: L.Sheet, font: str) -> None:
    """The same strings at the same positions, drawn with nothing else around them."""
    from reportlab.pdfgen.canvas import Canvas

    page_height = sheet.page_height * L.MM
    boxes = []
    for position in range(1, sheet.per_sheet + 1):
        left, top, _w, _h = sheet.label_box(position)
        boxes.append(((left + sheet.padding) * L.MM, page_height - (top + sheet.padding) * L.MM))
    canvas = Canvas(str(path), pagesize=(sheet.page_width * L.MM, page_height), pageCompression=0, invariant=1)
    current = None
    for n, lines in enumerate(fitted):
        position = n % sheet.per_sheet
        if n and position == 0:
            canvas.showPage()
            current = None
        x, top = boxes[position]
        for text, size, offset in lines:
            if size != current:
                canvas.setFont(font, size)
                current = size
            canvas.drawString(x, top - offset, text)
    canvas.save()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--labels", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sheet = L.PRESETS["3x11"]
    addresses = make_addresses(args.labels)
    font = L.font_name()
    fitter = L.Fitter(font, (sheet.label_width - 2 * sheet.padding) * L.MM,
                      (sheet.label_height - 2 * sheet.padding) * L.MM)
    fitted = [fitter.fit(a) for a in addresses]
    ours, bare = [], []
    with tempfile.TemporaryDirectory() as folder:
        writer_path, bare_path = Path(folder) / "labels.pdf", Path(folder) / "bare.pdf"
        for _ in range(args.runs):
            start = time.perf_counter()
            L.write_pdf(writer_path, addresses, sheet)
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            bare_loop(bare_path, fitted, sheet, font)
            bare.append(time.perf_counter() - start)
        same = writer_path.read_bytes() == bare_path.read_bytes()
        size = writer_path.stat().st_size
    ours_s, bare_s = statistics.median(ours), statistics.median(bare)
    pages = -(-args.labels // sheet.per_sheet)
    print(f"labels: {args.labels:,} on {pages:,} pages of {sheet.name}, font {font}, {size / 1e6:.1f} MB")
    print(f"pupetui write_pdf      {ours_s:7.3f} s (median of {args.runs}; min {min(ours):.3f})")
    print(f"bare reportlab loop    {bare_s:7.3f} s (median of {args.runs}; min {min(bare):.3f})")
    print(f"ratio of medians       {ours_s / bare_s:7.2f}x   (target <= 1.2x)")
    print(f"ratio of minimums      {min(ours) / min(bare):7.2f}x")
    print(f"same PDF bytes         {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
