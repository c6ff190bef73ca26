"""APS101: an object is fetched by a client-chosen id with no ownership check."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable
from functools import partial

from ..knowledge import FETCH_CALLS, ID_PARAM_PATTERN, OWNER_WORDS
from ..model import Auth, Confidence, Finding, Guard, GuardRole, Kind, Route, Severity
from ..static.guardcode import code_facts
from ..static.source import FunctionSource, SourceIndex
from ..static.syntax import call_name, unparse, walk
from ._access import permission_checked, sql_owner_bound
from ._calls import MAX_DEPTH, Hit, project_calls, reach
from ._dataflow import IDENTITY_NAMES, derives, identity_names, is_identity, tainted_names
from ._http import is_http_call
from ._mappings import dict_value, is_data_mapping, is_header_mapping
from ._owners import ownerless_lookup
from .aps501_admin_without_role import looks_administrative
from .base import Rule, RuleContext

# ``{username}``, ``{slug}``, ``{title}`` name an object as well as ``{item_id}`` does
_ID_PARAM = re.compile(rf"{ID_PARAM_PATTERN}|^(?:user_?name|login|handle|title|slug)$")
# a role guard that lets only administrators through reaches every object by design; any
# other role (``RoleChecker([CUSTOMER])``) says what the caller may do, not what they own
_ADMIN_ROLE = re.compile(r"admin|superuser|staff|root|owner", re.IGNORECASE)
_Shared = Callable[[FunctionSource, ast.Call], bool]
_ACCESS_CALLS = FETCH_CALLS | {"delete", "update", "pop", "remove", "get_item", "put_item"}


class ObjectLevelAuthorization(Rule):
    """
    ## What it does
    Flags an authenticated route with an id-like path parameter (``{item_id}``,
    ``{id}``, ``{uuid}``) whose handler uses it to fetch, update or delete an object
    (``db.get(Item, item_id)``, ``Item.query.get_or_404(item_id)``, ``ITEMS[item_id]``)
    without comparing the object with the caller (``item.owner_id != user.id``) and
    without an owner filter in the query (``filter_by(id=item_id, owner_id=user.id)``).

    ## Why is this bad?
    Any logged-in user can read or change any other user's objects by changing the
    number in the URL: broken object level authorization, the first entry of the
    OWASP API Top 10.

    ## Example
    ```python
    @router.get("/invoices/{invoice_id}")
    def read_invoice(invoice_id: int, user: User = Depends(get_current_user), db=Depends(get_db)):
        return db.get(Invoice, invoice_id)
    ```

    ## Use instead
    ```python
    @router.get("/invoices/{invoice_id}")
    def read_invoice(invoice_id: int, user: User = Depends(get_current_user), db=Depends(get_db)):
        invoice = db.get(Invoice, invoice_id)
        if invoice is None or invoice.owner_id != user.id:
            raise HTTPException(status_code=404)
        return invoice
    ```

    ## Known problems
    A route dependency that takes the id itself and can refuse (403) is the
    object-level check (``Depends(has_xcom_access)`` with ``dag_id`` among its
    parameters): that id is not reported.

    Preview: the handler's calls into project functions are followed three calls deep,
    for a lookup by the id (``load_invoice(invoice_id)`` doing ``db.get(...)``) and for
    an ownership check (a helper that receives the caller, or reads ``current_user``,
    and compares it with the object); a check in a helper counts whether or not it
    refuses, the handler may refuse on its answer. A permission call on the object and
    an action (``verify_permission_for_model(run, action=Action.READ)``, in the handler
    or a function the id reaches) is the object-level check too, and so is an SQL query
    with a ``WHERE`` clause that takes the caller as a bound value; a permission call
    without an action, or on a type rather than the object, is not.
    A record of a project ORM model that declares no column an owner could be held in
    (``Role``: ``id``, ``name``, ``permissions``; no ``owner_id``, ``user_id``,
    ``created_by``, ``tenant_id``, ``team_id``) belongs to no caller and is not reported;
    the users' own table (a password field, a class named for accounts) is. Routes behind an
    authorization guard (admin) are not reported. An HTTP call by the id
    (``requests.get(f"https://cdn.example.com/{slug}")``; a client made from
    ``requests``, ``httpx``, ``aiohttp`` or ``urllib3``; ``urlopen``) fetches from
    another server and is not a lookup; a client class of the project's own that wraps
    one still reads as one. Confirm with two identities: the APS151 probe.

    ## References
    - OWASP API1:2023 Broken Object Level Authorization
    - CWE-639: Authorization Bypass Through User-Controlled Key
    """

    code = "APS101"
    name = "object-level-authorization"
    kind = Kind.BOLA
    owasp = "API1:2023"
    severity = Severity.HIGH
    confidence = Confidence.POSSIBLE
    cwe = 639
    status = "preview"
    message = "{route} uses `{param}` to access an object without checking it belongs to the caller"
    remediation = (
        "Scope the lookup to the caller (`filter_by(id=item_id, owner_id=user.id)`) or compare "
        "after fetching (`if item.owner_id != user.id: raise HTTPException(404)`)."
    )

    def applies(self, route: Route) -> bool:
        if not super().applies(route) or route.auth not in (Auth.AUTHENTICATED, Auth.OPTIONAL):
            return False
        if any(g.role is GuardRole.AUTHORIZATION and admin_only(g) for g in route.guards):
            return False
        if looks_administrative(route):
            return False  # admin routes reach every object by design; APS501 judges them
        return any(_ID_PARAM.search(p) for p in route.path_params)

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        handler, route = ctx.handler, ctx.route
        if handler is None or route is None:
            return
        # the guards are consulted last: an id that the handler never looks an object up
        # by (or looks up with an owner check) needs no guard's code facts
        params = [p for p in route.path_params if _ID_PARAM.search(p) and p in handler.params]
        if not params:
            return
        index = ctx.index
        identities = identity_names(index, handler, route)
        if _owner_checked(handler, identities) or _owner_checked_by_helper(
            index, handler, identities
        ):
            return
        checked: set[str] | None = None
        for param in params:
            if permission_checked(index, handler, param):
                continue  # a permission call on the object and an action decides
            access = _first_access(handler, param, identities, partial(ownerless_lookup, index))
            where = ""
            if access is None:
                hit = _access_in_helper(index, handler, param)
                if hit is None:
                    continue
                where = f"{hit.chain()} ({index.display(hit.path)}:{hit.line}: `{hit.detail}`)"
            else:
                where = f" (line {access.lineno}: `{_short(access)}`)"
            if checked is None:
                checked = _checked_by_guards(ctx, route)
            if param in checked:
                continue
            finding = self.at_handler(
                ctx,
                message=self.message.replace("{param}", param) + where,
                severity=Severity.HIGH if route.is_write else Severity.MEDIUM,
            )
            if finding is not None:
                yield finding
            return


def _owner_checked_by_helper(
    index: SourceIndex, handler: FunctionSource, identities: set[str]
) -> bool:
    """A project function the handler calls (three calls deep) compares with the caller:
    its parameters that receive the caller's identity, or an identity it reads itself
    (``current_user``, ``g.user``)."""
    sites = project_calls(index, handler)
    for site in sites:
        seeds = frozenset(
            p for p, args in site.bound.items() if any(is_identity(a, identities) for a in args)
        )
        hit = reach(
            index,
            site.callee,
            seeds,
            question="owner-check",
            local=_owner_check_in,
            taint=_identity_taint,
            follow=_always,
            depth=MAX_DEPTH - 1,
        )
        if hit is not None:
            return True
    return False


def _owner_check_in(index: SourceIndex, fs: FunctionSource, seeds: frozenset[str]) -> Hit | None:
    if fs.is_lambda:
        return None
    names = identity_names(index, fs, None) | seeds
    return Hit(fs.path, fs.line, "owner check") if _owner_checked(fs, names) else None


def _identity_taint(fs: FunctionSource, seeds: frozenset[str]) -> set[str]:
    names = set(seeds) | set(IDENTITY_NAMES)
    for name, values in fs.assignments.items():
        if any(is_identity(v, names) for v in values):
            names.add(name)
    return names


def _always(callee: FunctionSource, seeds: frozenset[str]) -> bool:
    return True


def _access_in_helper(index: SourceIndex, handler: FunctionSource, param: str) -> Hit | None:
    """A project function that receives ``param`` (three calls deep) looks an object up
    by it without the caller's identity in the lookup."""
    tainted = tainted_names(handler, {param})
    for site in project_calls(index, handler):
        seeds = frozenset(
            p for p, args in site.bound.items() if any(derives(a, tainted) for a in args)
        )
        if not seeds:
            continue
        hit = reach(
            index,
            site.callee,
            seeds,
            question="object-access",
            local=_access_in,
            taint=_id_taint,
            follow=_has_seeds,
            depth=MAX_DEPTH - 1,
        )
        if hit is not None:
            return hit.through(site.callee.qualname)
    return None


def _id_taint(fs: FunctionSource, seeds: frozenset[str]) -> set[str]:
    return tainted_names(fs, set(seeds)) if seeds else set()


def _has_seeds(callee: FunctionSource, seeds: frozenset[str]) -> bool:
    return bool(seeds)


def _access_in(index: SourceIndex, fs: FunctionSource, seeds: frozenset[str]) -> Hit | None:
    if not seeds:  # (``reach`` asks project defs only, never a lambda)
        return None
    identities = identity_names(index, fs, None)
    if _owner_checked(fs, identities):
        return None
    for name in sorted(_id_taint(fs, seeds)):
        access = _first_access(fs, name, identities, partial(ownerless_lookup, index))
        if access is not None:
            return Hit(fs.path, access.lineno, _short(access))
    return None


def admin_only(guard: Guard) -> bool:
    """The guard admits administrators only: its name, scopes or (a callable instance such
    as ``RoleChecker([ADMIN])``) its attributes say so."""
    texts = [guard.name, *guard.scopes]
    func = guard.func
    if func is not None and not hasattr(func, "__code__"):  # an instance, not a function
        attributes = getattr(func, "__dict__", None)
        if isinstance(attributes, dict):
            texts += [repr(v) for v in attributes.values()]
    return any(_ADMIN_ROLE.search(t) for t in texts)


def _checked_by_guards(ctx: RuleContext, route: Route) -> set[str]:
    """Path parameters a route dependency takes and can refuse access over."""
    wanted = set(route.path_params)
    checked: set[str] = set()
    for guard in route.guards:
        source = ctx.index.function(guard.func) if guard.func is not None else None
        if source is None:
            continue
        taken = wanted & _wire_names(source)
        if taken and code_facts(ctx.index, source, ctx.knowledge).denies:
            checked |= taken
    return checked


def _wire_names(source: FunctionSource) -> frozenset[str]:
    """Parameter names as the request spells them: ``Path(alias="key")`` renames."""
    known: frozenset[str] | None = source.derived.get("wire_names")
    if known is None:
        known = source.derived["wire_names"] = frozenset(_spelled_names(source))
    return known


def _spelled_names(source: FunctionSource) -> set[str]:
    names = set()
    for name, (arg, default) in source.params.items():
        alias = name
        for node in (arg.annotation, default):
            for sub in walk(node) if node is not None else ():
                if isinstance(sub, ast.Call) and call_name(sub) == "Path":
                    for keyword in sub.keywords:
                        if keyword.arg == "alias" and isinstance(keyword.value, ast.Constant):
                            alias = str(keyword.value.value)
        names.add(alias)
    return names


def _short(node: ast.AST) -> str:
    text = unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."


def _uses(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in walk(node))


def _first_access(
    handler: FunctionSource, param: str, identities: set[str], shared: _Shared
) -> ast.expr | None:
    """The first call or subscript that looks an object up by ``param`` (an HTTP call,
    ``requests.get(f".../{slug}")``, fetches from another server, not an object here; a
    record of a model with no column an owner could be held in, ``shared``, is no one's)."""
    candidates: list[ast.expr] = []
    for node in handler.of(ast.Call):
        name = call_name(node)
        if name in _ACCESS_CALLS and not is_http_call(handler, node):
            if name == "update" and _merges_data(handler, node):
                continue  # ``data.update(credentials)``: a dict merge, no lookup by the id
            arguments = [*node.args, *(k.value for k in node.keywords)]
            if any(_uses(a, param) for a in arguments):
                if any(is_identity(a, identities) for a in arguments) or is_identity(
                    node.func, identities
                ):
                    return None  # the caller's identity goes into the same lookup
                if not shared(handler, node):
                    candidates.append(node)
    for sub in handler.of(ast.Subscript):
        if _uses(sub.slice, param) and not is_identity(sub.value, identities):
            if isinstance(sub.ctx, ast.Store) and (
                _local_mapping(handler, sub.value) or is_header_mapping(sub.value)
            ):
                continue  # ``out[key] = ...`` fills a dict the function builds or headers
            candidates.append(sub)
    return min(candidates, key=lambda n: (n.lineno, n.col_offset)) if candidates else None


def _merges_data(handler: FunctionSource, call: ast.Call) -> bool:
    func = call.func
    return isinstance(func, ast.Attribute) and is_data_mapping(handler, func.value)


def _local_mapping(handler: FunctionSource, node: ast.expr) -> bool:
    """A dict the function itself binds (``out = {}``), not a store it was handed."""
    values = handler.assignments.get(node.id) if isinstance(node, ast.Name) else None
    return bool(values) and all(dict_value(v) for v in values or ())


def _owner_checked(handler: FunctionSource, identities: set[str]) -> bool:
    """A comparison with the caller's identity, or an owner keyword bound to it."""
    for node in handler.of(ast.Compare):
        sides = [node.left, *node.comparators]
        if any(is_identity(s, identities) for s in sides) and not all(
            isinstance(s, ast.Constant) for s in sides if not is_identity(s, identities)
        ):
            return True
    for test in handler.of(ast.If):  # ``if not access.allows(user, team): deny``
        for call in (n for n in walk(test.test) if isinstance(n, ast.Call)):
            arguments = [*call.args, *(k.value for k in call.keywords)]
            if len(arguments) >= 2 and any(is_identity(a, identities) for a in arguments):
                return True
    if sql_owner_bound(handler, identities):
        return True  # ``WHERE ... user_id = :uid`` with the caller bound to it
    for keyword in handler.of(ast.keyword):
        if (
            keyword.arg is not None
            and any(w in keyword.arg for w in OWNER_WORDS)
            and is_identity(keyword.value, identities)
        ):
            return True
    return False
