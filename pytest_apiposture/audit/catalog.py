"""The audit's checks (APS001-APS009): one class per code, documented by its docstring.

Every dependency finding is made here, through ``DependencyCheck.at``.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from ..checks import Check
from ..model import Confidence, Finding, Kind, Location, Severity

OWASP = "API8:2023"


class DependencyCheck(Check):
    """Base of the audit's checks: kind dependency, OWASP API8."""

    producer: ClassVar[str] = "audit"
    kind: ClassVar[Kind] = Kind.DEPENDENCY
    owasp: ClassVar[str] = OWASP

    @classmethod
    def at(
        cls,
        *,
        message: str,
        subject: str,
        file: Path | None,
        line: int,
        symbol: str,
        evidence: str,
        remediation: str | None = None,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
    ) -> Finding:
        """A finding of this check; ``subject`` is the package name or the file name."""
        return cls.new_finding(
            message=message,
            path=f"deps/{subject}",
            location=Location(str(file), line, symbol) if file is not None else None,
            evidence=evidence,
            remediation=remediation,
            severity=severity,
            confidence=confidence,
        )


class KnownVulnerableDependency(DependencyCheck):
    """**What it does** Compares every version the project ships (an `==` pin, a lock file
    entry; the installed version when the project declares a range and no lock pins it)
    with the bundled advisory table (PyPA advisory database snapshot,
    see the notes for its date) or an export given with `--apiposture-advisories`.

    **Why is this bad?** A published vulnerability in the web framework or an HTTP library is
    reachable through every endpoint; attackers scan for the version, not for your code.

    **Example** `werkzeug==2.2.2` (PYSEC-2023-58, multipart parsing denial of service).

    **Use instead** `werkzeug==2.2.3` or later: the remediation names the fixed version.

    **Known problems** Advisories published after the data's date are not known; severity
    comes from the advisory's CVSS vector, or is high when it has none.

    **References** https://github.com/pypa/advisory-database, https://owasp.org/API-Security/
    """

    code = "APS001"
    name = "known-vulnerable-dependency"
    severity = Severity.HIGH
    confidence = Confidence.CONFIRMED
    cwe = 1395
    summary = (
        "a pinned or locked version (installed, for a range) is inside a known advisory's range"
    )
    remediation = "Upgrade to a fixed version (`werkzeug==2.2.3`); the finding names it."


class UnpinnedRequirement(DependencyCheck):
    """**What it does** In an application (see the notes for how the project kind was decided),
    reports requirements that are not `==` pins and not fixed by a lock file or constraints.

    **Why is this bad?** The next install may pull a version nobody tested, or a compromised
    release; an open-ended `>=` never stops.

    **Example** `fastapi>=0.100` in `requirements.txt`.

    **Use instead** `fastapi==0.115.6` (generate pins with `pip-compile`, `uv lock` or `poetry lock`).

    **Known problems** Libraries are exempt: their ranges are resolved by their users.

    **References** https://pip.pypa.io/en/stable/topics/repeatable-installs/
    """

    code = "APS002"
    name = "unpinned-requirement"
    severity = Severity.MEDIUM
    confidence = Confidence.LIKELY
    cwe = 1357
    summary = (
        "an application requirement is not pinned to one version (unpinned, open-ended or a range)"
    )
    remediation = "Pin every application requirement (`fastapi==0.115.6`) or lock them (`uv lock`, `poetry lock`, `pip-compile`)."


class MissingRequirementHash(DependencyCheck):
    """**What it does** In a requirements file that uses `--hash` (or `--require-hashes`), reports
    requirements without one, and editable requirements (which cannot be hashed).

    **Why is this bad?** pip refuses the install in hash-checking mode, or the file gets edited
    to drop hashes altogether; an unhashed artifact can be swapped on the index.

    **Example** `flask==3.0.3` next to `jinja2==3.1.4 --hash=sha256:...`.

    **Use instead** regenerate the file with `pip-compile --generate-hashes` or `uv pip compile --generate-hashes`.

    **Known problems** Checked per file, as the file is what reviewers read.

    **References** https://pip.pypa.io/en/stable/topics/secure-installs/
    """

    code = "APS003"
    name = "missing-requirement-hash"
    severity = Severity.MEDIUM
    confidence = Confidence.LIKELY
    cwe = 353
    summary = "a requirement has no --hash although its file uses hashes"
    remediation = (
        "Regenerate the file with hashes for every line (`pip-compile --generate-hashes`)."
    )


class DirectUrlDependency(DependencyCheck):
    """**What it does** Reports `name @ https://...`, `git+https://...` lines, Poetry `git`/`url`
    dependencies and lock entries that resolve to a VCS or URL source.

    **Why is this bad?** No version to audit, no index signature, and a branch or tag can be
    moved to new code at any time.

    **Example** `git+https://github.com/org/lib@main#egg=lib`.

    **Use instead** a released version from the index, or at least a full commit hash / an
    archive URL with `#sha256=`.

    **Known problems** Local paths (the project itself, workspace members) are not reported.

    **References** https://peps.python.org/pep-0440/#direct-references
    """

    code = "APS004"
    name = "direct-url-dependency"
    severity = Severity.MEDIUM
    confidence = Confidence.LIKELY
    cwe = 829
    summary = "a dependency comes from a URL or a VCS checkout instead of the index"
    remediation = (
        "Depend on a released version from the index (`lib==1.2.3`), or pin a full commit hash."
    )


class ExtraIndexUrl(DependencyCheck):
    """**What it does** Reports `--extra-index-url` in requirements files.

    **Why is this bad?** pip picks the highest version from *all* indexes, so anyone can publish
    your private package's name on the public index with a higher version (dependency confusion).

    **Example** `--extra-index-url https://pypi.internal.example/simple`.

    **Use instead** one `--index-url` that proxies the public index, or uv with its default
    `first-index` strategy, or reserve your names on the public index.

    **Known problems** Harmless when every private name is also reserved publicly.

    **References** https://owasp.org/www-project-top-10-ci-cd-security-risks/CICD-SEC-03-Dependency-Chain-Abuse
    """

    code = "APS005"
    name = "extra-index-url"
    severity = Severity.MEDIUM
    confidence = Confidence.LIKELY
    cwe = 427
    summary = "a requirements file adds an --extra-index-url (dependency confusion)"
    remediation = (
        "Use one `--index-url` that proxies the public index, or reserve your private names on it."
    )


class TyposquatName(DependencyCheck):
    """**What it does** Compares each declared or locked name with a bundled, dated list of
    popular package names and reports names one typo away from one of them.

    **Why is this bad?** Typosquatted packages run code at install and import time.

    **Example** `reqeusts==2.32.3` (one swap from `requests`).

    **Use instead** the intended name; if the name is right, suppress the finding.

    **Known problems** Real packages can be close to popular names; confidence is "possible".

    **References** https://owasp.org/www-project-top-10-ci-cd-security-risks/CICD-SEC-03-Dependency-Chain-Abuse
    """

    code = "APS006"
    name = "typosquat-name"
    severity = Severity.MEDIUM
    confidence = Confidence.POSSIBLE
    cwe = 1357
    summary = "a dependency name is one edit away from a popular package"
    remediation = "Check the name against the intended package (`requests`, not `reqeusts`)."


class InstalledVersionMismatch(DependencyCheck):
    """**What it does** Compares the installed version of each package the project declares
    or locks with the pins, ranges and lock entries that apply to this environment (markers
    evaluated). Packages the project does not declare are not compared.

    **Why is this bad?** The tests pass against one version while production runs another:
    the security gate tested something else. How much that matters decides the severity:
    an `==` pin or a lock entry that differs is low, because the advisory check (APS001)
    audits the pinned or locked version, the one production installs; only the route checks
    and probes ran on the installed one. An installed version outside a declared range is
    medium: the gate ran on a version the project does not allow, and that version is
    the only one the advisory check had to audit.

    **Example** `werkzeug==2.2.2` declared, 3.1.3 installed (low; APS001 reports 2.2.2's
    advisories); `starlette>=0.40` declared, 0.27.0 installed (medium).

    **Use instead** reinstall from the pins (`pip install -r requirements.txt`, `uv sync`,
    `poetry install --sync`) or update the declaration.

    **Known problems** Only installed packages are compared; a test environment that
    installs this plugin's own dependencies next to the project's often drifts (low).

    **References** https://pip.pypa.io/en/stable/topics/repeatable-installs/
    """

    code = "APS007"
    name = "installed-version-mismatch"
    severity = Severity.LOW
    confidence = Confidence.LIKELY
    cwe = 1357
    summary = "the installed version does not match what the project declares or locks"
    remediation = (
        "Reinstall from the declared versions (`pip install -r requirements.txt`, `uv sync`)."
    )


class UnparsableRequirement(DependencyCheck):
    """**What it does** Reports lines pip would reject, TOML/JSON that does not parse, includes
    that cannot be read, with file and line.

    **Why is this bad?** Whatever the line meant was not audited, and the install may differ
    from what the file seems to say.

    **Example** `flask=2.0` (a single `=`).

    **Use instead** `flask==2.0`.

    **Known problems** None known.

    **References** https://pip.pypa.io/en/stable/reference/requirements-file-format/
    """

    code = "APS008"
    name = "unparsable-requirement"
    severity = Severity.MEDIUM
    confidence = Confidence.LIKELY
    cwe = None
    summary = "a requirement line or dependency file does not parse"
    remediation = "Fix the line so pip accepts it (`flask==2.0`, not `flask=2.0`)."


class UnauditedDependency(DependencyCheck):
    """**What it does** Lists every package that was not checked: no exact version is known (not
    pinned, not locked, not installed), the version does not parse, or the advisory data does
    not cover the package (the bundled table covers the API stack only; load a full export with
    `--apiposture-advisories=PATH`).

    **Why is this bad?** "No known vulnerabilities" would be a claim nobody checked.

    **Example** `orjson>=3` with no lock file and not installed.

    **Use instead** pin or lock the package, or load a full advisory export;
    `--apiposture-audit-strict` makes these findings fail the run.

    **Known problems** Low unless strict. Installed packages the project neither declares
    nor locks (pip, this plugin's own dependencies) are not the project's: one note counts
    them. The terminal report folds findings with the same fix into one line.

    **References** https://github.com/pypa/advisory-database
    """

    code = "APS009"
    name = "unaudited-dependency"
    severity = Severity.LOW
    confidence = Confidence.LIKELY
    cwe = None
    summary = "a dependency could not be checked for known vulnerabilities"
    remediation = (
        "Pin or lock the package, or load a full advisory export (`--apiposture-advisories=PATH`)."
    )


AUDIT_CHECKS: tuple[type[DependencyCheck], ...] = (
    KnownVulnerableDependency,
    UnpinnedRequirement,
    MissingRequirementHash,
    DirectUrlDependency,
    ExtraIndexUrl,
    TyposquatName,
    InstalledVersionMismatch,
    UnparsableRequirement,
    UnauditedDependency,
)
