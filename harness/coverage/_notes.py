"""What the scenario files cannot say about the page's headings, kept by hand.

ATTRIBUTED: scenarios whose `doc:` names a whole section but which reproduce one explanation
under it (by name pattern). LIMITS: why a heading cannot be reproduced as such on one machine.
VERSIONS: differences between versions that the scenarios measured, each with the scenario it
comes from (a note whose scenario is gone is dropped, not printed stale).
"""

from __future__ import annotations

__all__ = ["ATTRIBUTED", "LIMITS", "VERSIONS"]

ATTRIBUTED = {
    "The server does not send the necessary CORS headers": ["cors-*"],
    "The browser tab was minimized and heartbeat has failed": ["background-tab-*"],
    "You are trying to send a huge payload": ["huge-payload-*", "oversize-payload-*"],
    "A proxy in front of your servers does not accept the WebSocket connection":
        ["proxy-*-upgrade*", "nginx-missing-upgrade", "python-upgrade-closed-after-101"],
}

LIMITS = {
    "Deployment on a serverless platform":
        "no serverless platform (Vercel, AWS API Gateway) runs on one machine: a request deadline in front of "
        "the server (the `request_deadline` fault) stands in for the platform's limit on a request's duration.",
    "The client is not compatible with the version of the server":
        "the Swift client rows of the compatibility table are not reproduced: socket.io-client-swift cannot be "
        "installed here (no Swift toolchain from the package registries this machine reaches); the "
        "JavaScript (socket.io-client 1.x-4.x, in Node and Chromium) and python-socketio rows are.",
}

VERSIONS = {
    "The client is not compatible with the version of the server": [
        ("regular-disconnect-faithful",
         "the page's \"30 seconds\" is socket.io 2.4.x's pingInterval + pingTimeout (25000 + 5000 ms); socket.io "
         "2.5.x and 3.x/4.x defaults advertise 25000 + 20000 ms, so the same disconnection comes after 45 s"),
        ("version-mismatch-v2-client",
         "a 2.x client against a 3.x/4.x server: HTTP 400 {\"code\":5,\"message\":\"Unsupported protocol version\"} "
         "unless the server sets allowEIO3"),
        ("version-mismatch-v3-client-v2-server",
         "a 3.x/4.x client against a 2.x server: connect_error \"server error\" (the v3 framing read as packet type 9)"),
    ],
    "The server does not send the necessary CORS headers": [
        ("cors-v2-reflects-origin",
         "socket.io 2.x reflects the request's Origin by default: CORS errors start with 3.x, where `cors` is explicit"),
        ("cors-websocket-only", "CORS does not apply to a WebSocket-only client"),
        ("cors-v2-4-0-default",
         "socket.io 2.4.0 alone allows no Origin by default (`origins: []`, the CVE-2020-28481 fix): a "
         "cross-origin page gets 403 {\"code\":4,\"message\":\"Forbidden\"}; 2.3.0 and 2.4.1 (the revert) reflect it"),
    ],
    "You didn't enable sticky sessions (in a multi server setup)": [
        ("sticky-sessions-balance",
         "python-engineio answers 400 \"Invalid session\" as text, not the page's {\"code\":1} JSON"),
        ("sticky-sessions-haproxy",
         "a 2.x server connects in the handshake, so a 2.x client \"connects\" and is then dropped "
         "(\"transport error\"); HAProxy's cookie needs withCredentials in Node and does not help "
         "socket.io-client 2.x in Node at all"),
    ],
    "Problem: the socket is stuck in HTTP long-polling": [
        ("status-monitor-own-io",
         "express-status-monitor 1.3.4 brings its own socket.io 2.5.1: beside a 4.x app a 4.x client is not "
         "stuck but never connects (\"server error\"); a 2.x client is stuck in polling, connected to the "
         "monitor's instance, not the app's"),
    ],
}
