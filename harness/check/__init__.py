"""`sockfault check`: the troubleshooting page's checklist run against a user's own app.

A check is a scenario file in checks/ whose server is the placeholder `$app` (and `$client`,
`$clients`, `$browser`, `$page`, `$over_payload`), plus a `check:` block saying what the app's
users would see and the fix. The runner, symptoms and reports are the catalogue's own.
"""

from ._templates import CHECKS_DIR, CheckInfo, load_checks

__all__ = ["CHECKS_DIR", "CheckInfo", "load_checks"]
