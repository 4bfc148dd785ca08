import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))      # _sio

from _sio import SioServer  # noqa: E402


@pytest.fixture
def server():
    with SioServer() as srv:
        yield srv
