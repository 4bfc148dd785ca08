"""Scenario files: the YAML format (docs/scenarios.md, schema.json), loaded into frozen Cases."""

from ._duration import Duration, parse_duration
from ._loader import load_cases
from ._model import Case, Expectation, FaultConfig, PeerConfig, ProxyConfig, Step
from ._validate import SCHEMA_PATH

__all__ = ["Case", "Duration", "Expectation", "FaultConfig", "PeerConfig", "ProxyConfig", "Step",
           "SCHEMA_PATH", "load_cases", "parse_duration"]
