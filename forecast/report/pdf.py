"""HTML -> PDF with WeasyPrint, reproducibly and without touching the network."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher


class _NoFetch(URLFetcher):
    """Refuse every external resource: the briefing is self-contained by design."""

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> None:
        raise ValueError(f"briefing must be self-contained; refusing to fetch {url}")


# WeasyPrint's HTML CSS parser reports SVG presentation properties (matplotlib writes
# style="fill: ...") and our screen-only properties as unknown, although the SVG renderer uses
# the former and print does not need the latter. Hide just those; other warnings still show.
_EXPECTED = re.compile(
    r"Ignored `(fill|stroke|clip-path|overflow-x|text-size-adjust|"
    r"-webkit-[a-z-]+)[a-z-]*:"
)


class _DropExpected(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _EXPECTED.match(record.getMessage())


@contextmanager
def _quiet() -> Iterator[None]:
    log = logging.getLogger("weasyprint")
    flt = _DropExpected()
    log.addFilter(flt)
    try:
        yield
    finally:
        log.removeFilter(flt)


def html_to_pdf(html: str, base_url: Path, identifier: str) -> bytes:
    """Render ``html`` (print media) to PDF bytes.

    WeasyPrint writes no creation date unless the HTML asks for one; the template sets
    ``dcterms.created`` to the run's as-of date. ``identifier`` (the run id) becomes the PDF
    file identifier, so the same HTML always gives the same bytes.
    """
    with _quiet():
        doc = HTML(string=html, base_url=str(base_url), url_fetcher=_NoFetch())
        pdf = doc.write_pdf(pdf_identifier=identifier.encode("utf-8"))
    assert pdf is not None
    return pdf
