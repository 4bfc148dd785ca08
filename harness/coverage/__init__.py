"""`sockfault coverage`: every heading of the troubleshooting page -> the scenarios that reproduce
it, their latest verdicts and the differences between versions they found (docs/coverage.md).

The headings come from a committed copy (page-headings.md; `--page` reads the page itself), the
scenarios' `doc:` names their heading (a few whole-section ones are attributed by name, see
_notes.py), and verdicts from the latest JSON report. A heading without a scenario exits 1.
"""

from ._build import Coverage, HeadingCoverage, Scenario, build
from ._page import HEADINGS_COPY, Heading, norm, read_headings
from ._render import render

__all__ = ["build", "render", "read_headings", "norm", "Coverage", "HeadingCoverage", "Scenario", "Heading",
           "HEADINGS_COPY"]
