"""`sockfault diagnose URL`: the troubleshooting page's checklist answered for a live deployment,
each check with its evidence (the request sent, what came back) and the page's section.

    diagnosis = await diagnose("https://chat.example.com", origin="https://app.example.com")
    diagnosis.exit_code   # 0 nothing fails, 1 a check fails, 2 the URL cannot be diagnosed
"""

from ._model import FAIL, NA, PASS, SCHEMA_VERSION, SECTIONS, WARN, Check, Diagnosis, Evidence
from ._runner import diagnose

__all__ = ["diagnose", "Diagnosis", "Check", "Evidence", "PASS", "FAIL", "WARN", "NA", "SCHEMA_VERSION", "SECTIONS"]
