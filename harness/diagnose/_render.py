"""The diagnosis for people: one coloured line per check, then the evidence and advice of every
check that did not pass (rich when stdout is a terminal, plain text in CI logs)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ._model import FAIL, NA, PASS, SECTIONS, WARN, Diagnosis, beyond

__all__ = ["render"]

STYLE = {PASS: "bold green", FAIL: "bold red", WARN: "bold yellow", NA: "dim"}


def render(diagnosis: Diagnosis, console: Console | None = None) -> None:
    if console is None:
        console = Console(highlight=False)
        if not console.is_terminal:
            console = Console(highlight=False, width=max(console.width, 140))
    console.print(f"[bold]sockfault diagnose[/bold] {diagnosis.url}")
    if diagnosis.undiagnosable and not diagnosis.checks:
        console.print(f"[bold red]cannot diagnose:[/bold red] {diagnosis.undiagnosable}")
        return
    table = Table(show_header=True, header_style="bold", expand=False, show_lines=False)
    table.add_column("check", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("what was seen", overflow="fold")
    for check in diagnosis.checks:
        table.add_row(check.title, f"[{STYLE[check.status]}]{check.status.upper()}[/]", escape(check.summary))   # "[SSL: ...]" is text
    console.print(table)
    for check in diagnosis.checks:
        if check.status not in (FAIL, WARN):
            continue
        where = (f"({SECTIONS[check.section]})" if beyond(check.section) else
                 f"(page: \"{SECTIONS[check.section]}\")")
        console.print(f"[{STYLE[check.status]}]{check.status.upper()}[/] {check.title} [dim]{where}[/dim]")
        for e in check.evidence:
            console.print(f"    > {e.request}", markup=False, soft_wrap=True)
            console.print(f"    < {e.response}", markup=False, soft_wrap=True)
        if check.advice:
            console.print(f"    fix: {check.advice}", markup=False, soft_wrap=True)
    counts = {s: sum(1 for c in diagnosis.checks if c.status == s) for s in (PASS, WARN, FAIL, NA)}
    line = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    requests = f"{diagnosis.requests} request" + ("" if diagnosis.requests == 1 else "s")
    console.print(f"{line} - {requests} in {diagnosis.wall_s:.1f} s"
                  + (f" - cannot diagnose: {diagnosis.undiagnosable}" if diagnosis.undiagnosable else ""))
