"""Triage of archivy's medium+ findings (measured once, untouched app), read from its code."""

from triage import Verdict

VERDICTS = (
    # --- APS402: outbound call without a timeout --------------------------------------------
    Verdict(
        "APS402",
        r"^archivy  GET /bookmarks/new",
        False,
        "the GET branch only renders the form: process_bookmark_url runs inside "
        "form.validate_on_submit(), which is false for a GET",
        "a route registered for GET and POST shares one handler; the call sits behind a "
        "POST-only branch (validate_on_submit)",
    ),
    Verdict(
        "APS402",
        r"^archivy  POST /save_from_bookmarklet",
        False,
        "the handler returns 400 without `html`, then calls process_bookmark_url(html): "
        "`page_html = raw_html or requests.get(self.url)` never fetches (the image "
        "download in extract_content, also without timeout, only runs with "
        "SCRAPING_CONF.save_images, off by default)",
        "the flagged call is on the right of an `or` whose left operand the handler "
        "guarantees truthy",
    ),
    Verdict(
        "APS402",
        r"^archivy  POST /(api/)?bookmarks",
        True,
        "DataObj.process_bookmark_url: requests.get(self.url, headers=...) with no "
        "timeout on a URL the user submits: a server that never answers holds the worker",
    ),
    # --- APS101: no owner in a single-owner knowledge base ----------------------------------
    Verdict(
        "APS101",
        r"^archivy  ",
        False,
        "Archivy is one shared knowledge base: DataObj has no owner field (id, type, title, "
        "content, tags, url, path...), and the only users are admins made by the CLI "
        "(`archivy create-admin`, User(is_admin=True)); every logged-in user may read, "
        "edit, move and delete every note by design (the before_request hook logs them in)",
        "objects without any owner attribute in an app whose users are all administrators "
        "cannot be BOLA",
    ),
)
