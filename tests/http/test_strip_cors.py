from _flows import sio_flow
from proxies.http.strip_cors import StripCors

CORS = {"access-control-allow-origin": "http://a", "access-control-allow-credentials": "true", "vary": "Origin"}


def test_removes_all_access_control_headers():
    f = sio_flow(resp=b"ok", resp_headers=CORS)
    StripCors().response(f)
    assert not [k for k in f.response.headers if k.lower().startswith("access-control-")]
    assert f.response.headers["vary"] == "Origin"


def test_removes_only_named_headers():
    f = sio_flow(resp=b"ok", resp_headers=CORS)
    StripCors(headers=["Access-Control-Allow-Credentials"]).response(f)
    assert "access-control-allow-origin" in f.response.headers
    assert "access-control-allow-credentials" not in f.response.headers


def test_preflight_answered_here():
    a = StripCors(preflight_status=405)
    f = sio_flow(method="OPTIONS")
    a.request(f)
    assert f.response.status_code == 405
    assert not [k for k in f.response.headers if k.lower().startswith("access-control-")]


def test_preflight_forwarded_by_default():
    f = sio_flow(method="OPTIONS")
    StripCors().request(f)
    assert f.response is None
