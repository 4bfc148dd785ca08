"""`sockfault matrix`: the page's compatibility tables measured with real peers, cell by cell,
beside what the page says (harness/matrix/_page.py)."""

from ._cells import PAYLOADS, TRANSPORTS, Cell, cells, measure
from ._page import SWIFT_REASON, SWIFT_ROWS, page_says
from ._run import SCHEMA_VERSION, run_matrix

__all__ = ["Cell", "cells", "measure", "page_says", "run_matrix", "PAYLOADS", "TRANSPORTS", "SWIFT_ROWS",
           "SWIFT_REASON", "SCHEMA_VERSION"]
