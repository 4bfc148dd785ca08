"""The browser client peer: a socket.io-client bundle in headless Chromium, driven by Playwright.

Run it with ``python -m harness.peers.browser.client sioc-4.8.1``. Only a browser sends an
Origin and enforces CORS, so only this peer can show the CORS symptoms (docs/browser-peer.md).
"""
