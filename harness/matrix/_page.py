"""The troubleshooting page's compatibility tables, as data: what the page says for a client major
against a server major (with and without allowEIO3), so that every measured cell sits beside it."""

from __future__ import annotations

__all__ = ["page_says", "SWIFT_ROWS", "family_major"]

# (client family, client major) -> {server major: "YES" | "NO" | "YES with allowEIO3"}
_TABLES = {
    ("node", 1): {1: "YES", 2: "NO", 3: "NO", 4: "NO"},
    ("node", 2): {1: "NO", 2: "YES", 3: "YES with allowEIO3", 4: "YES with allowEIO3"},
    ("node", 3): {1: "NO", 2: "NO", 3: "YES", 4: "YES"},
    ("node", 4): {1: "NO", 2: "NO", 3: "YES", 4: "YES"},
    ("java", 1): {2: "YES", 3: "YES with allowEIO3", 4: "YES with allowEIO3"},
    ("java", 2): {2: "NO", 3: "YES", 4: "YES"},
}
_ALIASES = {"browser": "node"}      # the JS client, in a browser

# the Swift table, kept so that nothing of the page is dropped: no Swift package installs here
SWIFT_ROWS = [
    {"client": "swift v15.x", "2.x": "YES", "3.x": "YES with allowEIO3 and connectParams EIO=3",
     "4.x": "YES with allowEIO3"},
    {"client": "swift v16.x", "2.x": "YES with .version(.two)", "3.x": "YES", "4.x": "YES"},
]
SWIFT_REASON = "not measured here: no Swift toolchain or socket.io-client-swift package can be installed on these machines"


def family_major(label: str) -> tuple[str, int | None]:
    """("node", 4) for "node@4.8.1"; python peers have no row in the page's tables."""
    family, _, version = label.partition("@")
    try:
        return family, int(version.split(".")[0])
    except ValueError:
        return family, None


def page_says(client: str, server: str, allow_eio3: bool) -> str:
    """"yes" | "no" | "not in the page's tables", for a client peer label against a server label."""
    c_family, c_major = family_major(client)
    s_family, s_major = family_major(server)
    table = _TABLES.get((_ALIASES.get(c_family, c_family), c_major))
    if table is None or s_family != "node" or s_major not in table:
        return "not in the page's tables"
    said = table[s_major]
    if said == "YES with allowEIO3":
        return "yes" if allow_eio3 else "no"
    return said.lower()
