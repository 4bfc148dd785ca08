"""TLS certificate and scheme: for an https URL, why the certificate is not trusted (self-signed, an unknown CA,
expired, issued for another host name) or that the port speaks plain HTTP; for an http:// URL, that the port
speaks TLS. One TLS handshake of its own (ALPN h2, http/1.1; a second, unverified, to see the certificate),
OpenSSL's reason and what the certificate shows; the wrong scheme confirmed by the other one."""

from __future__ import annotations

from .._model import FAIL, NA, PASS, WARN, Check, Evidence
from .._target import Target
from .._tls import TlsView, look, plain_http_answer

TITLE = "TLS certificate and scheme"
SECTION = "beyond-certificate"
SOON = 14                    # days: a certificate that expires sooner is a warning

ADVICE = {
    "self-signed": "Use a certificate from a CA the clients trust (e.g. Let's Encrypt), or give each client this one "
                   "(Node: the `ca` option or NODE_EXTRA_CA_CERTS; python-socketio: ssl_verify / a CA bundle; a "
                   "browser: the user accepts it).",
    "unknown CA": "Serve the whole chain (nginx: ssl_certificate with the fullchain file), or give the clients the CA "
                  "(Node: `ca` / NODE_EXTRA_CA_CERTS).",
    "expired": "Renew the certificate (and its automatic renewal).",
    "not yet valid": "Check the server's clock and the certificate's start date.",
    "host-name mismatch": "Use a certificate whose names include the host the clients use, or connect by one of its names.",
}


def shown(view: TlsView) -> str:
    if not view.done:
        return f"no TLS session: {view.error or view.verify_message}"
    c = view.cert
    parts = [view.version or "TLS", f"ALPN {view.alpn or 'none'}"]
    if c:
        parts.append(f"certificate {c['subject']!r} issued by {c['issuer']!r}, names {', '.join(c['names'][:4])}, "
                     f"valid until {c['not_after']}")
    parts.append("verified" if view.verified else "certificate not checked" if view.verified is None else
                 f"NOT trusted: {view.verify_message}")
    return "; ".join(parts)


def _why(view: TlsView, host: str) -> str:
    c, words = view.cert, []
    for cause in view.causes:
        if cause == "expired" and c:
            words.append(f"expired (on {c['not_after']})")
        elif cause == "host-name mismatch" and c:
            words.append(f"issued for {', '.join(c['names'][:4])}, not {host} (host-name mismatch)")
        elif cause == "unknown CA" and c:
            words.append(f"signed by an unknown CA ({c['issuer']!r}; or the server does not send its intermediates)")
        else:
            words.append(cause)
    return ", ".join(words) or (view.verify_message or "not verified")


async def _http_url(t: Target, check: Check) -> Check:
    if t.unreachable != "disconnected":
        return check.set(NA, "http:// URL: no TLS here (a page served over https must use https:// too: browsers "
                             "block mixed content)")
    view = await look(t, alpn=None, verify=False)
    check.evidence.append(Evidence(f"TLS handshake with {t.base.split('://', 1)[1]} [does the port speak TLS?]",
                                   shown(view)))
    check.facts.update(view.to_dict())
    if not view.done:
        return check.set(NA, "the port closed the plain HTTP request and does not speak TLS either (see reachable)")
    return check.set(FAIL, f"http:// aimed at a port that speaks TLS ({view.version}): the server closed the plain "
                           "HTTP request without an answer", "Use https:// (wss://) for this port.")


async def run(t: Target) -> Check:
    check = Check("certificate", TITLE, SECTION)
    if not t.base.startswith("https://"):
        return await _http_url(t, check)
    view = t.tls = await look(t, verify=True)
    host = t.host
    check.evidence.append(Evidence(f"TLS handshake with {t.base.split('://', 1)[1]} (ALPN h2, http/1.1)", shown(view)))
    check.facts.update(view.to_dict())
    if not view.done:
        low = view.error.lower()
        if any(w in low for w in ("wrong version number", "wrong_version_number", "record layer", "http_request",
                                  "packet length too long", "unknown protocol")):
            status = await plain_http_answer(t)
            check.facts["plain_http"] = status
            check.evidence.append(Evidence(f"GET {t.server_path or t.wanted_path}?EIO=4&transport=polling over plain "
                                           "TCP [does the port speak HTTP?]", status or "no HTTP answer"))
            if status:
                return check.set(FAIL, f"https:// aimed at a port that speaks plain HTTP: the TLS handshake got an HTTP "
                                       f"answer (\"wrong version number\"); plain HTTP there answers {status!r}",
                                 "Use http:// (ws://) for this port, or put TLS in front of it (nginx, a load balancer).")
        return check.set(FAIL, f"no TLS handshake with {t.base}: {view.error}")
    if view.verified:
        c = view.cert
        left = c.get("days_left") if c else None
        summary = (f"trusted certificate for {', '.join(c['names'][:4])} issued by {c['issuer']!r}, valid until "
                   f"{c['not_after']} ({left} days); {view.version}") if c else f"trusted certificate; {view.version}"
        if left is not None and left < SOON:
            return check.set(WARN, summary + ": it expires soon", ADVICE["expired"])
        return check.set(PASS, summary)
    why = _why(view, host)
    advice = " ".join(ADVICE[c] for c in dict.fromkeys(x.split(" (")[0] for x in view.causes) if c in ADVICE)
    summary = f"the certificate is not trusted: {why} (OpenSSL: {view.verify_message or '?'})"
    if t.insecure:
        return check.set(WARN, summary + "; diagnosed anyway (--insecure), but browsers and Node / Python clients at "
                                         "their defaults refuse it (\"xhr poll error\")", advice)
    return check.set(FAIL, summary + ": browsers and Node / Python clients refuse it (\"xhr poll error\", "
                                     "CERTIFICATE_VERIFY_FAILED)", advice)
