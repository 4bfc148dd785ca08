"""Fixtures shared by the e2e tests."""

from __future__ import annotations

import os

import pytest

from _children import children


@pytest.fixture
def new_children():
    """The children this test started that are still alive: call it at the test's end.

    An xdist worker's scenario items keep warm spares alive across tests, so "no child at all"
    would fail for what another test started; only what this test started must be gone.
    """
    before = children(os.getpid())
    return lambda: children(os.getpid()) - before
