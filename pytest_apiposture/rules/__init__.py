"""Static rules: the registry. One rule per ``apsNNN_*.py`` file, each deriving from
``rules.base.Rule`` (never from this package, which imports them all)."""

from __future__ import annotations

from .aps101_bola import ObjectLevelAuthorization
from .aps201_missing_auth import MissingAuth
from .aps202_optional_auth import OptionalAuth
from .aps301_response_sensitive_field import ResponseSensitiveField
from .aps302_raw_object_response import RawObjectResponse
from .aps303_privileged_body_field import PrivilegedBodyField
from .aps304_bulk_write import BulkWrite
from .aps305_extra_allowed import ExtraFieldsAllowed
from .aps306_config_exposure import ConfigExposure
from .aps401_unbounded_limit import UnboundedLimit
from .aps402_outbound_timeout import OutboundCallWithoutTimeout
from .aps501_admin_without_role import AdminWithoutRole
from .aps701_ssrf import ServerSideRequestForgery
from .aps801_debug_mode import DebugMode
from .aps802_cors_credentials import CorsWildcardCredentials
from .aps803_jwt_unverified import JwtUnverified
from .aps804_hardcoded_secret import HardcodedSecret
from .aps909_unregistered_route import UnregisteredRoute
from .base import DOC_SECTIONS, Rule, RuleContext, check_info, docs_sections, module_nodes

RULES: tuple[type[Rule], ...] = (
    ObjectLevelAuthorization,
    MissingAuth,
    OptionalAuth,
    ResponseSensitiveField,
    RawObjectResponse,
    PrivilegedBodyField,
    BulkWrite,
    ExtraFieldsAllowed,
    ConfigExposure,
    UnboundedLimit,
    OutboundCallWithoutTimeout,
    AdminWithoutRole,
    ServerSideRequestForgery,
    DebugMode,
    CorsWildcardCredentials,
    JwtUnverified,
    HardcodedSecret,
    UnregisteredRoute,
)

__all__ = [
    "DOC_SECTIONS",
    "RULES",
    "Rule",
    "RuleContext",
    "check_info",
    "docs_sections",
    "module_nodes",
]
