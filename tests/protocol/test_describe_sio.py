"""describe_sio: decode_sio(...).to_dict() without the packet object, same dict, same errors."""

import json

import pytest
from hypothesis import given, settings, strategies as st

from harness.protocol import ProtocolError, decode_sio, describe_sio

CASES = ['2["echo","x"]', '21["a",1]', '3[1]', '31[]', '0', '0{"token":1}', '0/admin,{"a":1}', '0/admin?x=1,', '1',
         '1/nsp,', '4"err"', '4{"message":"x"}', '51-["a",{"_placeholder":true,"num":0}]',
         '61-[{"_placeholder":true,"num":0}]', '2', '2[]', '2["connect"]', '2[1,2]', '2[true]', '3', '2{bad', '7', '',
         '2/a,12["x"]', '3/a,5[null]', '2 ["x"]', '5-[]', '5a-[]', '2NaN', '2[Infinity]', '2' + '9' * 5000,
         '0/a?b=c,{"x":[1,2,{"y":null}]}', '4/nsp,{"message":"m","data":{"k":[1]}}', '2["é","\\u00e9"]']


def _old(text: str, eio: int):
    try:
        packet = decode_sio(text, eio)
    except ProtocolError as exc:
        return "error", str(exc)
    return None if packet.attachments else packet.to_dict()


def _new(text: str, eio: int):
    try:
        return describe_sio(text, eio)
    except ProtocolError as exc:
        return "error", str(exc)


@pytest.mark.parametrize("eio", [3, 4])
@pytest.mark.parametrize("text", CASES)
def test_describe_sio_is_decode_sio_to_dict(text, eio):
    assert json.dumps(_new(text, eio)) == json.dumps(_old(text, eio))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from("0123456"), st.sampled_from(["", "/", "/n,", "/n?q=1,", "1-", "2-/n,"]),
       st.sampled_from(["", "7", "12"]), st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                                                      lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=3), c, max_size=3),
                                                      max_leaves=6) | st.just(...),
       st.sampled_from([3, 4]))
def test_describe_sio_agrees_on_generated_packets(kind, head, ack, data, eio):
    text = kind + head + ack + ("" if data is ... else json.dumps(data))
    assert json.dumps(_new(text, eio)) == json.dumps(_old(text, eio))
