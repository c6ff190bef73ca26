"""One static pass: classify every route's guards, run every enabled rule, once.

Work is done in units (one per route, one per project file). With a cache
directory, each unit's result is stored under a key made of everything it was
computed from (route facts, guard and handler code locations, knowledge, the
rules' own code) together with the content hash of every file it read (and of
every import candidate it looked for); a later run reuses it only when all those
files hash the same. A missing, stale or corrupt cache only costs time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from .auth import classify_route, evolve
from .knowledge import Knowledge
from .model import Auth, Confidence, Finding, GuardRole, Kind, Location, Route, Severity
from .rules import Rule, RuleContext
from .rules._decorators import route_decorators
from .source import SourceIndex, code_owner

CACHE_FORMAT = 2
# the code of the static pass: a change to any of these invalidates every stored unit
_STATIC_PASS_MODULES = tuple(
    f"pytest_apiposture.{name}"
    for name in ("rules", "auth", "source", "analysis", "model", "knowledge")
)
_SKIP_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "build", "dist"})
RouteValue = tuple[list[GuardRole | None], Auth, list[Finding], tuple[str, int] | None]
FileValue = tuple[list[Finding], list[int]]


@dataclass
class AnalysisResult:
    routes: list[Route]
    findings: list[Finding]
    notes: list[str] = field(default_factory=list)


def analyse(
    routes: Sequence[Route],
    *,
    root: Path,
    knowledge: Knowledge,
    index: SourceIndex,
    rules: Sequence[Rule],
    is_public: Callable[[Route], bool],
    project_files: Sequence[Path] = (),
) -> AnalysisResult:
    """Classify the routes and run route rules per route and project rules per file."""
    # The pass holds every AST it parsed and creates no reference cycles: the cyclic GC
    # would only re-traverse those nodes again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _analyse(routes, root, knowledge, index, rules, is_public, project_files)
    finally:
        if collecting:
            gc.enable()


def _analyse(
    routes: Sequence[Route],
    root: Path,
    knowledge: Knowledge,
    index: SourceIndex,
    rules: Sequence[Rule],
    is_public: Callable[[Route], bool],
    project_files: Sequence[Path],
) -> AnalysisResult:
    route_rules = [r for r in rules if r.scope == "route"]
    project_rules = [r for r in rules if r.scope == "project"]
    store = ResultStore.open(index, _tool_key(knowledge, rules, root))
    base = RuleContext(index=index, knowledge=knowledge, routes=routes, project_files=project_files)

    classified: list[tuple[Route, tuple[str, int] | None]] = []
    findings: list[Finding] = []
    for route in routes:
        public = bool(is_public(route))
        key = _route_key(route, public, index) if store.path else ""
        value = store.get(key, _decode_route) if key else None
        if value is None:
            unit = partial(_route_unit, route, base, route_rules, public)
            value = store.put(key, unit) if key else unit()
        roles, auth, unit_findings, handler_def = value
        guards = tuple(evolve(g, role=role) for g, role in zip(route.guards, roles, strict=False))
        classified.append((evolve(route, guards=guards, auth=auth), handler_def))
        findings.extend(unit_findings)

    defs: dict[str, list[int]] = {}
    for _, handler_def in classified:
        if handler_def is not None:
            defs.setdefault(handler_def[0], []).append(handler_def[1])
    file_ctx = replace(base, handler_defs=frozenset((p, n) for p, ns in defs.items() for n in ns))
    static_defs: set[tuple[str, int]] = set()
    for path in _unit_files(index, project_files, defs):
        key = "\x1f".join(["file", path, *map(str, sorted(set(defs.get(path, ()))))])
        file_value = store.get(key, _decode_file)
        if file_value is None:
            file_value = store.put(key, partial(_file_unit, path, file_ctx, project_rules))
        findings.extend(file_value[0])
        static_defs.update((path, line) for line in file_value[1])

    store.save()
    final = [
        evolve(r, origin=(*r.origin, "static"))
        if handler_def in static_defs and "static" not in r.origin
        else r
        for r, handler_def in classified
    ]
    return AnalysisResult(routes=final, findings=findings, notes=list(index.notes))


def project_files_for(
    routes: Sequence[Route], app_module_file: str | Path | None, root: Path
) -> list[Path]:
    """The .py files of the app's top-level package(s) under root (single modules as is)."""
    root_dir = os.path.abspath(root)
    starts = [str(app_module_file)] if app_module_file else []
    for route in routes:
        code = getattr(code_owner(route.endpoint), "__code__", None) if route.endpoint else None
        if code is not None and not code.co_filename.startswith("<"):
            starts.append(code.co_filename)
    out: set[str] = set()
    for start in dict.fromkeys(os.path.abspath(s) for s in starts):
        if not start.startswith(root_dir + os.sep) or not os.path.isfile(start):
            continue
        package = _top_package(start)
        if package is None:
            out.add(start)
        else:
            out.update(_python_files(package))
    return [Path(p) for p in sorted(out)]


# -- units ---------------------------------------------------------------------------------
def _route_unit(route: Route, base: RuleContext, rules: Sequence[Rule], public: bool) -> RouteValue:
    index = base.index
    classified = classify_route(
        route, knowledge=base.knowledge, index=index, is_public=lambda _: public
    )
    handler = index.handler(route)
    ctx = RuleContext(
        base.index, base.knowledge, base.routes, base.project_files, classified, handler
    )
    out: list[Finding] = []
    for rule in rules:
        if rule.applies(classified):
            out.extend(_run(rule, ctx, index, route.key))
    roles = [g.role for g in classified.guards]
    return roles, classified.auth, out, (handler.path, handler.line) if handler else None


def _file_unit(path: str, ctx: RuleContext, rules: Sequence[Rule]) -> FileValue:
    module = ctx.index.module(path)
    if module is None:
        return [], []
    file_ctx = replace(ctx, module=module)
    out: list[Finding] = []
    for rule in rules:
        out.extend(_run(rule, file_ctx, ctx.index, ctx.index.display(path)))
    out.sort(key=lambda f: (f.location.line if f.location else 0, f.code))
    return out, sorted({d.def_line for d in route_decorators(ctx.index, module)})


def _run(rule: Rule, ctx: RuleContext, index: SourceIndex, where: str) -> list[Finding]:
    try:
        return list(rule.check(ctx))
    except Exception as exc:  # a rule bug must not end the run
        index.note(
            f"{rule.code} failed on {where}: {type(exc).__name__}: {exc} (a bug in the rule)"
        )
        return []


def _unit_files(
    index: SourceIndex, project_files: Sequence[Path], defs: dict[str, list[int]]
) -> list[str]:
    paths = {os.path.normcase(os.path.abspath(p)) for p in project_files} | set(defs)
    return sorted(p for p in paths if index.under_root(p) and p.endswith(".py"))


# -- cache keys ----------------------------------------------------------------------------
def _tool_key(knowledge: Knowledge, rules: Sequence[Rule], root: Path) -> str:
    """Everything every unit depends on: this code, the rules' code, the knowledge, root."""
    parts = [str(CACHE_FORMAT), sys.version, os.path.abspath(root), _knowledge_key(knowledge)]
    names = {type(r).__module__ for r in rules} | {
        name for name in sys.modules if name.startswith(_STATIC_PASS_MODULES)
    }
    for name in sorted(names):
        parts += [name, _file_hash(getattr(sys.modules.get(name), "__file__", None))]
    parts += [f"{type(r).__module__}.{type(r).__qualname__}" for r in rules]
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def _knowledge_key(knowledge: Knowledge) -> str:
    """Stable across processes: sets are sorted (their repr order depends on hash seeds)."""
    items = []
    for item in dataclasses.fields(knowledge):
        value = getattr(knowledge, item.name)
        items.append(f"{item.name}={sorted(value) if isinstance(value, frozenset) else value!r}")
    return ";".join(items)


def _file_hash(path: str | None) -> str:
    try:
        with open(path or "", "rb") as handle:
            return hashlib.blake2b(handle.read(), digest_size=16).hexdigest()
    except OSError:
        return os.urandom(8).hex()  # unknown code: never reuse


def _route_key(route: Route, public: bool, index: SourceIndex) -> str:
    """The route facts classification and rules read; fields they ignore are left out."""
    loc = route.location
    raw = route.raw if route.framework == "flask" else None  # endpoint names, rule strings
    code_key = index.code_key
    endpoint = route.endpoint
    view_class = getattr(endpoint, "view_class", None)
    parts = [
        "route", route.method, route.path, route.framework, route.handler, route.kind,
        f"{loc.file}:{loc.line}:{loc.symbol}" if loc else "",
        route.body_model or "", ",".join(f.name for f in route.body_fields),
        "extra" if route.body_extra_allowed else "",
        route.response_model or "", ",".join(f.name for f in route.response_fields),
        ",".join(route.path_params), code_key(endpoint) if endpoint is not None else "",
        view_class.__qualname__ if view_class is not None else "",
        _text(getattr(raw, "endpoint", None)), _text(getattr(raw, "rule", None)),
        "public" if public else "",
        "marked" if getattr(route.endpoint, "__apiposture_public__", False) else "",
    ]  # fmt: skip
    for g in route.guards:
        parts += [g.name, g.origin, str(g.scheme), str(g.auto_error), ",".join(g.scopes)]
        parts += [code_key(g.func, unwrap=False) if g.func else ""]
        parts += [code_key(c, unwrap=False) for c in g.chain] + ["|"]
    return "\x1f".join(parts)


def _text(value: object) -> str:
    """Only plain strings: a repr with a memory address would change on every run."""
    return value if isinstance(value, str) else ""


# -- the on-disk store ---------------------------------------------------------------------
class ResultStore:
    """Unit results keyed by their inputs, valid while the files they read are unchanged.

    File layout (JSON): ``paths`` with the ``digests`` they had, ``depsets`` (lists of path
    indices), ``strings`` (every string once) and ``units``: key hash -> [depset, notes,
    encoded value]. Written atomically; anything unreadable is ignored.
    """

    def __init__(self, index: SourceIndex, tool: str, path: Path | None) -> None:
        self.index, self.tool, self.path = index, tool, path
        self.paths: list[str] = []
        self.digests: list[str] = []
        self.depsets: list[list[int]] = []
        self.strings: list[str] = []
        self.units: dict[str, list[Any]] = {}
        # key hash -> (dependency paths, or the stored depset number; notes; value)
        self.used: dict[str, tuple[list[str] | int, list[str], Any]] = {}
        self.dirty = False
        self._valid_depsets: dict[int, bool] = {}

    @classmethod
    def open(cls, index: SourceIndex, tool: str) -> ResultStore:
        if index.cache_dir is None:
            return cls(index, tool, None)
        name = hashlib.blake2b(index.root.encode(), digest_size=8).hexdigest()
        store = cls(index, tool, Path(index.cache_dir) / f"apiposture-static-{name}.json")
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            data = json.loads(Path(store.path or "").read_bytes())
            if data["format"] == CACHE_FORMAT and data["tool"] == tool:
                store.paths, store.digests = data["paths"], data["digests"]
                store.depsets, store.strings = data["depsets"], data["strings"]
                store.units = data["units"]
        return store

    def get(self, key: str, decode: Callable[[list[Any], list[str]], Any]) -> Any:
        if self.path is None:
            return None
        digest = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
        unit = self.units.get(digest)
        if unit is None:
            return None
        try:
            if not self._depset_valid(unit[0]):
                return None
            notes = [self.strings[i] for i in unit[1]]
            value = decode(unit[2], self.strings)
        except (IndexError, TypeError, ValueError, KeyError):
            return None  # a damaged entry: recompute
        for note in notes:
            self.index.note(note)
        self.used[digest] = (unit[0], notes, value)  # deps looked up only if saving
        return value

    def put(self, key: str, compute: Callable[[], Any]) -> Any:
        with self.index.recording() as scope:
            value = compute()
        if self.path is not None:
            digest = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
            self.used[digest] = (sorted(scope.paths), list(dict.fromkeys(scope.notes)), value)
            self.dirty = True
        return value

    def _depset_valid(self, number: int) -> bool:
        """Every file of the set still hashes as recorded (checked once per set per run)."""
        valid = self._valid_depsets.get(number)
        if valid is None:
            valid = all(
                self.index.digest(self.paths[i]) == self.digests[i] for i in self.depsets[number]
            )
            self._valid_depsets[number] = valid
        return valid

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        for digest, unit in self.units.items():  # keep other apps' still-valid results
            if digest not in self.used:
                value = self._reusable(unit)
                if value is not None:
                    self.used[digest] = value
        out = _Encoder()
        units = {
            digest: [
                out.depset(self._paths_of(deps), self.index),
                [out.string(n) for n in notes],
                out.value(value),
            ]
            for digest, (deps, notes, value) in self.used.items()
        }
        payload = {
            "format": CACHE_FORMAT, "tool": self.tool, "paths": out.paths,
            "digests": out.digests, "depsets": out.depsets, "strings": out.strings, "units": units,
        }  # fmt: skip
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(handle, "w") as stream:
                json.dump(payload, stream, separators=(",", ":"))
            os.replace(temp, self.path)
        except OSError as exc:
            self.index.note(f"could not write the static-analysis cache {self.path}: {exc}")

    def _paths_of(self, deps: list[str] | int) -> list[str]:
        return [self.paths[i] for i in self.depsets[deps]] if isinstance(deps, int) else deps

    def _reusable(self, unit: list[Any]) -> tuple[list[str] | int, list[str], Any] | None:
        try:
            if not self._depset_valid(unit[0]):
                return None
            decode = _decode_route if len(unit[2]) == 4 else _decode_file
            return unit[0], [self.strings[i] for i in unit[1]], decode(unit[2], self.strings)
        except (IndexError, TypeError, ValueError, KeyError):
            return None


class _Encoder:
    """Builds the string, path and dependency-set tables while encoding values."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self._strings: dict[str, int] = {}
        self.paths: list[str] = []
        self.digests: list[str] = []
        self._paths: dict[str, int] = {}
        self.depsets: list[list[int]] = []
        self._depsets: dict[tuple[int, ...], int] = {}

    def string(self, text: str) -> int:
        number = self._strings.get(text)
        if number is None:
            number = self._strings[text] = len(self.strings)
            self.strings.append(text)
        return number

    def depset(self, deps: list[str], index: SourceIndex) -> int:
        numbers = []
        for path in deps:
            if path not in self._paths:
                self._paths[path] = len(self.paths)
                self.paths.append(path)
                self.digests.append(index.digest(path))
            numbers.append(self._paths[path])
        key = tuple(numbers)
        if key not in self._depsets:
            self._depsets[key] = len(self.depsets)
            self.depsets.append(numbers)
        return self._depsets[key]

    def finding(self, f: Finding) -> list[Any]:
        loc = f.location or Location("", 0)
        texts = (f.code, f.kind.value, f.owasp, f.severity.value, f.confidence.value, f.message,
                 f.remediation, f.method, f.path, loc.file, loc.symbol, f.evidence, f.status)  # fmt: skip
        return [*map(self.string, texts), loc.line, loc.end_line, f.cwe, 1 if f.location else 0]

    def value(self, value: Any) -> list[Any]:
        if len(value) == 4:  # a route unit
            roles, auth, findings, handler = value
            return [
                [self.string(r.value) if r else -1 for r in roles],
                self.string(auth.value),
                [self.finding(f) for f in findings],
                [self.string(handler[0]), handler[1]] if handler else None,
            ]
        findings, decorated = value
        return [[self.finding(f) for f in findings], decorated]


# value -> member, without the Enum call machinery (a warm run decodes thousands)
_KINDS = {m.value: m for m in Kind}
_SEVERITIES = {m.value: m for m in Severity}
_CONFIDENCES = {m.value: m for m in Confidence}
_ROLES = {m.value: m for m in GuardRole}
_AUTHS = {m.value: m for m in Auth}


def _decode_finding(v: list[Any], s: list[str]) -> Finding:
    located = v[16]
    return Finding(
        code=s[v[0]], kind=_KINDS[s[v[1]]], owasp=s[v[2]], severity=_SEVERITIES[s[v[3]]],
        confidence=_CONFIDENCES[s[v[4]]], message=s[v[5]], remediation=s[v[6]], method=s[v[7]],
        path=s[v[8]], location=Location(s[v[9]], v[13], s[v[10]], v[14]) if located else None,
        evidence=s[v[11]], status=s[v[12]], cwe=v[15],
    )  # fmt: skip


def _decode_route(v: list[Any], s: list[str]) -> RouteValue:
    roles = [_ROLES[s[r]] if r >= 0 else None for r in v[0]]
    handler = (s[v[3][0]], int(v[3][1])) if v[3] else None
    return roles, _AUTHS[s[v[1]]], [_decode_finding(f, s) for f in v[2]], handler


def _decode_file(v: list[Any], s: list[str]) -> FileValue:
    return [_decode_finding(f, s) for f in v[0]], [int(n) for n in v[1]]


# -- project files ---------------------------------------------------------------------------
def _top_package(path: str) -> str | None:
    directory = os.path.dirname(path)
    if not os.path.isfile(os.path.join(directory, "__init__.py")):
        return None
    while os.path.isfile(os.path.join(os.path.dirname(directory), "__init__.py")):
        directory = os.path.dirname(directory)
    return directory


def _python_files(package: str) -> Iterator[str]:
    for directory, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".py"):
                yield os.path.join(directory, name)
