import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))          # _flows, _sfnode
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # harness, proxies
