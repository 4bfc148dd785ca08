from _flows import sio_flow
from proxies.http.rewrite import Rewrite


def test_path_prefix_and_query_kept():
    f = sio_flow(query="EIO=4&transport=polling")
    Rewrite(path_from="/socket.io/", path_to="/app/socket.io/").request(f)
    assert f.request.path == "/app/socket.io/?EIO=4&transport=polling"


def test_other_paths_untouched():
    f = sio_flow()
    f.request.path = "/health"
    Rewrite(path_from="/socket.io/", path_to="/x/").request(f)
    assert f.request.path == "/health"


def test_headers_set_and_removed():
    a = Rewrite(set_request_headers={"X-Forwarded-Proto": "https"}, remove_request_headers=["host"],
                set_response_headers={"Cache-Control": "no-store"}, remove_response_headers=["content-type"])
    f = sio_flow(resp=b"0{}")
    a.request(f)
    a.response(f)
    assert f.request.headers["x-forwarded-proto"] == "https" and "host" not in f.request.headers
    assert f.response.headers["cache-control"] == "no-store" and "content-type" not in f.response.headers
