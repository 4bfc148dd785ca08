"""The wire picture of a scenario item as a pytest-html extra: `pytest --html=report.html` shows,
under each scenario item, its verdict, the run and its control on the wire side by side (the same
SVG sequence diagrams as sockfault's own report) and the network view."""

from __future__ import annotations

from html import escape

from ._html import PAIR_CSS, _networks, _pictures

__all__ = ["scenario_extra_html"]

_STYLE = f"<style>{PAIR_CSS}</style>"   # pytest-html's page has none of the report's CSS


def scenario_extra_html(result: dict) -> str:
    """HTML for one result dict (`CaseResult.to_dict()`): verdict line, diagrams, network view."""
    run, control = result.get("run") or {}, result.get("control") or None
    main_events = run.get("timeline") or []
    control_events = control.get("timeline") if isinstance(control, dict) else None
    head = (f"<p><b>{escape(str(result.get('verdict')))}</b>: {escape(str(result.get('reason') or ''))}"
            f" <i>({escape(str(result.get('doc') or ''))})</i></p>")
    body = (_pictures(main_events, control_events, open_=True) + _networks(main_events, control_events))
    return _STYLE + head + body
