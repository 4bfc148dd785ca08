"""Reports: JSON results, a self-contained HTML page, and a version-matrix table."""

from ._html import write_html
from ._json import results_document, write_json
from ._matrix import matrix_tables

__all__ = ["write_json", "results_document", "write_html", "matrix_tables"]
