"""Python peer runners speaking the JSON-lines peer protocol (docs/peer-protocol.md).

Run one with ``python -m harness.peers.python.<server|client|plain_ws|plain_http>``.
"""
