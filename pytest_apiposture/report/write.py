"""Write every report file the settings ask for, from the run's verdict."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .. import __version__
from ..config import Settings
from ..suppress import write_baseline
from ..verdict import Verdict
from .html import write_html
from .json import write_report
from .sarif import write_sarif


class ReportWriteError(Exception):
    """A report, baseline or spec snapshot could not be written; one line says where."""


def write_reports(verdict: Verdict, settings: Settings) -> list[str]:
    """Write the JSON/SARIF/HTML reports and the baseline; one line per file written."""
    posture = verdict.posture
    written: list[str] = []
    writers: list[tuple[str | None, Callable[[Path], None]]] = [
        (
            settings.json_path,
            lambda p: write_report(p, posture, tool_version=__version__, fixed=verdict.fixed),
        ),
        (settings.sarif_path, lambda p: write_sarif(p, posture, tool_version=__version__)),
        (settings.html_path, lambda p: write_html(p, posture, tool_version=__version__)),
    ]
    for option, write in writers:
        if option:
            path = settings.resolve(option)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                write(path)
            except OSError as exc:
                raise ReportWriteError(f"cannot write {path}: {exc.strerror or exc}") from None
            written.append(f"apiposture: wrote {path}")
    if settings.update_baseline and settings.baseline:
        path = settings.resolve(settings.baseline)
        kept = [f for f in posture.findings if not f.suppressed]
        try:
            write_baseline(path, kept, root=posture.root)
        except OSError as exc:
            raise ReportWriteError(f"cannot write baseline {path}: {exc.strerror or exc}") from None
        written.append(f"apiposture: wrote baseline {path} ({len(kept)} findings)")
    return written
