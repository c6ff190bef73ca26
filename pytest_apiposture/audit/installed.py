"""The distributions installed in the test environment (``importlib.metadata``)."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from packaging.utils import canonicalize_name

from .records import Dependency, Scan, Source


def read_installed(paths: list[str] | None = None) -> Scan:
    """One record per installed distribution; the first on the path wins, as for imports.

    ``paths`` defaults to ``sys.path`` (the running interpreter's environment).
    """
    scan = Scan()
    seen: set[str] = set()
    for dist in (
        metadata.distributions(path=paths) if paths is not None else metadata.distributions()
    ):
        raw_name, version = _name_version(dist)
        if not raw_name or not version:
            continue
        name = canonicalize_name(raw_name)
        if name in seen:
            continue
        seen.add(name)
        file = _metadata_file(dist)
        scan.deps.append(
            Dependency(
                name=name,
                source=Source.INSTALLED,
                file=file,
                line=1,
                text=f"{name}=={version} (installed)",
                version=version,
            )
        )
    return scan


def _name_version(dist: metadata.Distribution) -> tuple[str | None, str | None]:
    """From the ``name-version.dist-info`` directory name when it has one: parsing every
    METADATA file (an email message with the whole README) is most of the audit's time."""
    base = getattr(dist, "_path", None)
    if isinstance(base, Path) and base.name.endswith(".dist-info"):
        name, sep, version = base.name[: -len(".dist-info")].partition("-")
        if sep and name and version:
            return name, version
    raw_name = dist.metadata["Name"] if dist.metadata else None
    return raw_name, dist.version


def _metadata_file(dist: metadata.Distribution) -> Path:
    """The dist-info METADATA file, so a finding points at something that exists."""
    located = dist.locate_file("")
    base = getattr(dist, "_path", None)  # PathDistribution keeps its dist-info directory here
    if isinstance(base, Path):
        return base / "METADATA"
    return Path(str(located))
