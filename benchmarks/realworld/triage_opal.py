"""Triage of OPAL server's medium+ findings (measured once, untouched app), read from its code."""

from triage import Verdict

VERDICTS = (
    Verdict(
        "APS201",
        r"^opal  GET /policy-data  ",
        False,
        "default_all_data (opal_server/data/api.py) is a placeholder data source: it logs "
        "that DATA_CONFIG_SOURCES was not configured and returns the constant {} whatever "
        "the request; no data, no state, nothing an account would protect",
        "a stub that answers a constant empty document serves nothing; the check cannot "
        "tell it from a data route",
    ),
    Verdict(
        "APS251",
        r"^opal  GET /policy-data  ",
        False,
        "the anonymous 200 is the constant {} of the placeholder data source",
        "as for its APS201: an empty constant answer exposes nothing",
    ),
    Verdict(
        "APS352",
        r"^opal  GET /data/config  ",
        False,
        "response_model=DataSourceConfig: entries is List[DataSourceEntryWithPollingInterval], "
        "which declares url, config, topics, dst_path, save_method, data (inherited from "
        "DataSourceEntry) and periodic_update_interval: every 'undeclared' field is in the "
        "schema (pydantic v1 puts the item model under definitions, reached by $ref); only "
        "authenticated peers got the 200",
        "the fields of a list's item model, declared through a $ref (pydantic v1 "
        "'definitions', an inherited model), were not resolved, so each declared field "
        "read as undeclared",
    ),
)
