"""Path and namespace: the path the client uses vs where the server answers (a 404 at one, 200 at the
other), and the page's caution: `io("http://host/my-custom-path/")` takes the URL's path as a
namespace, so the request path stays /socket.io/ and the v3+ client gets "Invalid namespace"."""

from __future__ import annotations

from harness.protocol import SioType

from .._model import FAIL, NA, PASS, WARN, Check, Evidence
from .._polling import Session, connect_answer, misrouted, socketio_packets
from .._target import DEFAULT_PATH, Target

TITLE = "path and namespace"


async def run(t: Target) -> Check:
    check = Check("path", TITLE, "path")
    if t.server_path is None or t.hello is None:
        return check.set(NA, "no Engine.IO server found (see reachable)")
    check.facts.update(client_path=t.wanted_path, server_path=t.server_path, url_path=t.url_path or None)
    if t.server_path != t.wanted_path:
        check.evidence.extend(Evidence.of(hs) for hs in t.tried.values())
        example = f'io("{t.base}", {{ path: "{t.server_path}" }})'
        if t.path is None and t.server_path == t.url_path:
            return check.set(FAIL, f"the server's path is {t.server_path}, and {DEFAULT_PATH} answers 404: "
                                   f'io("{t.url}") takes "{t.url_path}" as a NAMESPACE and still requests '
                                   f"{DEFAULT_PATH}", f"Give the path as an option: {example}")
        return check.set(FAIL, f"the client's path {t.wanted_path} is not served (404); the server answers at "
                               f"{t.server_path}", f"Use the same `path` on both sides: {example}")
    nsp = t.namespace or (t.url_path.rstrip("/") if t.url_path else "/")
    nsp = "/" + nsp.strip("/")
    check.facts["namespace"] = nsp
    session, hs = await Session.open(t)
    if session is None:
        check.evidence.append(Evidence.of(hs))
        return check.set(WARN, f"a second handshake failed: {hs.verdict()}")
    answer, evidence = await _connect(session, nsp)
    check.evidence.extend(evidence)
    await session.close()
    confusion = not t.namespace and bool(t.url_path)
    if answer == "misrouted":
        return check.set(NA, f"the CONNECT of {nsp!r} could not be checked: the session's requests reached another "
                             "node (400 Session ID unknown, see sticky sessions)")
    if answer is None:
        return check.set(WARN, f"no answer to the Socket.IO CONNECT of namespace {nsp!r} within 3 s")
    if answer.type is SioType.CONNECT:
        check.facts["connected"] = True
        note = (f'; the URL\'s path "{t.url_path}" is taken as this namespace by io()' if confusion else "")
        path_note = f" (path {t.server_path}: clients must set `path`)" if t.server_path != DEFAULT_PATH else ""
        return check.set(PASS, f"path {t.server_path} answers; namespace {nsp!r} connects{path_note}{note}")
    message = answer.data.get("message") if isinstance(answer.data, dict) else answer.data
    check.facts.update(connected=False, connect_error=message)
    if isinstance(message, str) and "invalid namespace" in message.lower():
        if confusion:
            return check.set(FAIL, f'io("{t.url}") connects namespace "{nsp}" at {t.server_path}: the server '
                                   f'answers "Invalid namespace" (the URL\'s path is a namespace, not the request path)',
                             f'Connect with io("{t.base}") (namespace "/"), or io("{t.base}", {{ path: '
                             f'"{t.url_path}" }}) if that is the server\'s path.')
        return check.set(FAIL, f"namespace {nsp!r} does not exist on the server: \"{message}\"",
                         "Register it with io.of(...) on the server, or connect to an existing one.")
    if nsp != "/" and message == "Unable to connect":
        return check.set(FAIL, f"namespace {nsp!r} is refused: \"Unable to connect\" (python-socketio's answer for a "
                               "namespace it does not serve, or a connect handler that refused)",
                         "Register the namespace on the server (a handler or namespaces=[...]), or connect to '/'.")
    return check.set(WARN, f"the server refused the Socket.IO CONNECT of {nsp!r}: {message!r} (an auth "
                           "middleware that wants credentials in `auth`?)")


async def _connect(session: Session, nsp: str):
    """CONNECT nsp over polling: v4 clients send it; v3 servers connect "/" unasked."""
    evidence = [Evidence.of(session.hello)]
    early = socketio_packets(session.hello, session.framing)
    if session.framing == 3 and nsp == "/" and connect_answer(early, "/") is not None:
        return connect_answer(early, "/"), evidence
    data = "0" if nsp == "/" else f"0{nsp},"
    post = await session.post(data)
    evidence.append(Evidence.of(post, note=f"Socket.IO CONNECT {nsp}"))
    if misrouted(post):
        return "misrouted", evidence
    for _ in range(2):
        poll = await session.poll(timeout=3.0)
        evidence.append(Evidence.of(poll))
        if misrouted(poll):
            return "misrouted", evidence
        answer = connect_answer(socketio_packets(poll, session.framing), nsp)
        if answer is not None or poll.status != 200:
            return answer, evidence
    return None, evidence
