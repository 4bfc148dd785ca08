"""mitmproxy run in-process as a reverse proxy, with one addon per fault concern.

Importing this package is cheap; `link` and `_master` import mitmproxy (about a second).
"""
