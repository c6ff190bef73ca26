"""Online audit through pip-audit, only when asked (``AuditSettings.online``).

pip-audit gets the exact versions this audit found (one ``name==version`` per line,
``--no-deps --disable-pip``, so it resolves nothing and installs nothing) and answers
from its vulnerability service. A version it answered for counts as audited; anything
it skipped or any failure leaves the offline result as it is, with a note.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from importlib.util import find_spec
from pathlib import Path

from packaging.version import InvalidVersion, Version

from .vulns import Hit, OnlineResults

TIMEOUT_SECONDS = 600  # a hung network call must not hang the test session forever


def pip_audit_command() -> list[str] | None:
    """How to run pip-audit here, or None when it is not installed."""
    if find_spec("pip_audit") is not None:
        return [sys.executable, "-m", "pip_audit"]
    exe = shutil.which("pip-audit")
    return [exe] if exe else None


def run_pip_audit(
    pins: Iterable[tuple[str, str]], command: Sequence[str] | None = None
) -> tuple[OnlineResults, list[str]]:
    """(results, notes) for the given (name, version) pairs."""
    pins = sorted(set(pins))
    base = list(command) if command is not None else pip_audit_command()
    if base is None:
        return OnlineResults(), [
            "online audit asked, but pip-audit is not installed (pip install pip-audit); offline data only"
        ]
    if not pins:
        return OnlineResults(), []
    with tempfile.TemporaryDirectory(prefix="apiposture-") as tmp:
        req = Path(tmp) / "requirements.txt"
        req.write_text("".join(f"{n}=={v}\n" for n, v in pins), encoding="utf-8")
        args = [
            *base,
            "-r",
            str(req),
            "--no-deps",
            "--disable-pip",
            "-f",
            "json",
            "--progress-spinner",
            "off",
        ]
        try:
            done = subprocess.run(
                args, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return OnlineResults(), [f"pip-audit could not run ({exc}); offline data only"]
    # pip-audit exits 1 when it found vulnerabilities: the JSON on stdout decides.
    try:
        results = parse_pip_audit_json(done.stdout)
    except ValueError:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return OnlineResults(), [
            f"pip-audit failed (exit {done.returncode}: {last}); offline data only"
        ]
    if not results.skipped:
        return results, []
    first = next(iter(results.skipped.values()))
    # pip-audit says "No known vulnerabilities found" even when it checked nothing
    return results, [
        f"pip-audit could not check {len(results.skipped)} of {len(pins)} package(s), "
        f"which stay unaudited (e.g. {first})"
    ]


def parse_pip_audit_json(text: str) -> OnlineResults:
    """pip-audit's ``-f json`` output; raises ValueError when it is not that."""
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("dependencies"), list):
        raise ValueError("not pip-audit JSON output")
    results = OnlineResults()
    for dep in data["dependencies"]:
        if isinstance(dep, dict) and "skip_reason" in dep:
            results.skipped[str(dep.get("name"))] = str(dep["skip_reason"])
            continue
        if not isinstance(dep, dict) or "version" not in dep:
            continue
        key = (str(dep["name"]), str(dep["version"]))
        results.checked.add(key)
        for vuln in dep.get("vulns") or []:
            fixes = [str(v) for v in vuln.get("fix_versions") or []]
            results.hits.setdefault(key, []).append(
                Hit(
                    id=str(vuln["id"]),
                    aliases=tuple(str(a) for a in vuln.get("aliases") or ()),
                    summary=" ".join(str(vuln.get("description") or "").split())[:240],
                    severity=None,
                    fixed=min(fixes, key=_version_key) if fixes else None,
                    url=f"https://osv.dev/vulnerability/{vuln['id']}",
                )
            )
    return results


def _version_key(raw: str) -> tuple[int, Version | str]:
    try:
        return (0, Version(raw))
    except InvalidVersion:
        return (1, raw)
