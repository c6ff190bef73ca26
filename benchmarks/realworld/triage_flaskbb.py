"""Triage of FlaskBB's medium+ findings (measured once, untouched app), read from its code."""

from triage import Verdict

VERDICTS = (
    # --- APS101: objects fetched by id ---------------------------------------------------------
    Verdict(
        "APS101",
        r"^flaskbb  GET /topic/\{topic_id\}(-\{slug\})?/post/\{post_id\}/reply  ",
        True,
        "NewPost (forum/views.py) is guarded by allows.requires(ForRequest(can_access_forum, "
        "request_forum), ForRequest(can_post_reply, request_topic)), but forum/locals.py "
        "derives current_topic from the *post* when the URL has a post_id "
        "(_get_current_topic: `if current_post: return current_post.topic`); the handler then "
        "loads the topic by topic_id (Topic.get_topic(topic_id, True), hidden check only) and "
        "never checks that the post belongs to it. A signed-in user pairs a post they may "
        "reply to with any topic_id: GET renders that topic's title, forum and category "
        "(new_post.html) for forums they cannot access, and the POST of the same view "
        "(form.save(user, topic)) writes the reply into that topic, locked or not",
    ),
    Verdict(
        "APS101",
        r"^flaskbb  \S+ /(post/\{post_id\}/(edit|delete)|topic/\{topic_id\}(-\{slug\})?/"
        r"(edit|delete|lock|unlock|highlight|trivialize|post/new)|\{forum_id\}(-\{slug\})?/topic/new)  ",
        False,
        "every view class carries decorators = [login_required, allows.requires(ForRequest("
        "policy, request_*))]: EditPost/DeletePost can_edit_post (IsSameUser(post) with "
        "editpost, or a moderator of the forum), EditTopic can_edit_topic, DeleteTopic "
        "can_delete_topic (author with deletetopic, or moderator), Lock/Unlock/Highlight/"
        "TrivializeTopic can_moderate(forum), NewTopic can_access_forum + can_post_topic, "
        "NewPost (no post_id) can_access_forum + can_post_reply; request_post/request_topic "
        "load the same id from request.view_args (forum/locals.py)",
        "an authorization requirement applied by a decorator (Flask-Allows allows.requires "
        "with a policy over the object the request names, loaded from view_args by a "
        "LocalProxy) is the object-level check; the tool does not follow it",
    ),
    Verdict(
        "APS101",
        r"^flaskbb  POST /(post/\{post_id\}|topic/\{topic_id\}(-\{slug\})?)/(hide|unhide)  ",
        False,
        "Hide/UnhideTopic and Hide/UnhidePost check in the handler, right after the fetch: "
        "`if not Permission(Has('makehidden'), can_moderate(topic.forum)): flash(...); "
        "return redirect` (Permission requires every requirement)",
        "a permission object built from the fetched object and tested before the write "
        "(flask_allows Permission(...) truthiness) is not read as an ownership check",
    ),
    Verdict(
        "APS101",
        r"^flaskbb  GET /post/\{post_id\}(/raw)?  ",
        False,
        "reading a post: ViewPost and RawPost are guarded by allows.requires(ForRequest("
        "can_access_forum, request_forum)) on the post's own forum and fetch with "
        "first_or_404(..., True), which filters hidden posts; forum posts are public-read "
        "content for whoever may access the forum, not a user's private object",
        "public-read content behind a per-forum access requirement has no owner to compare "
        "with (and the decorator requirement is not followed)",
    ),
    # --- APS201: no guard ------------------------------------------------------------------------
    Verdict(
        "APS201",
        r"^flaskbb  \S+ /admin/",
        False,
        "every management view class (management/views.py) has decorators = "
        "[allows.requires(IsAdmin | IsAtleastModerator, on_fail=FlashAndRedirect(...))], "
        "and the management blueprint's before_request check_fresh_login returns "
        "login_manager.needs_refresh() unless login_fresh(): a guest never reaches a handler",
        "a Flask-Allows requirement in a MethodView's `decorators` list whose refusal is a "
        "flash-and-redirect (no abort/401), and a before_request refusing through "
        "login_manager.needs_refresh(), are not recognised as guards",
    ),
    Verdict(
        "APS201",
        r"^flaskbb  GET /uploads/attachments/",
        True,
        "UploadedAttachment.get (upload/views.py) serves any attachment by its filename with "
        "no check at all, the code says so ('Attachments are not yet access control "
        "checked'): the attachment of a post in a forum closed to guests, or of a hidden "
        "post, is downloadable anonymously by whoever has the link (the stored name is a "
        "uuid4, so the link must leak first, but it is embedded in the post and stays valid "
        "after the reader loses access)",
    ),
    Verdict(
        "APS201",
        r"^flaskbb  \S+ /(uploads/avatar/|user/\{username\}|search|portal/)",
        False,
        "public by purpose on a forum guests may read: avatars shown beside public posts, "
        "user profiles and their topic/post lists (User.all_topics/all_posts filter by the "
        "viewer's groups and hide hidden content), the search page (search_forums restricts "
        "to Forum.get_accessible(user)), the portal front page (topics of forums whose "
        "groups include the viewer's)",
        "public pages of a guest-readable forum, which filter what they show by the viewer's "
        "groups instead of refusing, have no guard to find (public by purpose, not "
        "recognised)",
    ),
    # --- APS251: anonymous 2xx -------------------------------------------------------------------
    Verdict(
        "APS251",
        r"^flaskbb  GET /(category/|forum/|topic/|memberlist|portal/|search|who-is-online)",
        False,
        "the guest-readable side of a forum, by design: ViewForum/ViewTopic require "
        "can_access_forum (the forum's groups include the guest group, as the installed "
        "welcome forum's do; force_login_if_needed sends guests to login otherwise), "
        "Category.get_forums filters by the guest group, MemberList is switched by "
        "MEMBERLIST_ENABLED, WhoIsOnline lists online users, search and portal filter by "
        "the viewer's groups",
        "an anonymous 200 on a page the forum grants to its Guest group through data "
        "(group membership of the forum) is public by purpose; the probe cannot know it",
    ),
    # --- APS804: hard-coded secrets --------------------------------------------------------------
    Verdict(
        "APS804",
        r"src/flaskbb/configs/default\.py",
        True,
        "DefaultConfig.WTF_CSRF_SECRET_KEY = 'reallyhardtoguess' is loaded first by "
        "configure_app and kept unless the configuration sets the key: `flaskbb makeconfig` "
        "and configs/docker.py replace it, but a hand-written flaskbb.cfg that follows the "
        "comment above it ('If no WTF_CSRF_SECRET_KEY is provided, it will use the "
        "SECRET_KEY', untrue: the default wins) or a server started with no config "
        "(get_flaskbb_config returns None, no warning) signs CSRF tokens with the public "
        "literal (low impact: tokens are also bound to the session)",
    ),
    Verdict(
        "APS804",
        r"src/flaskbb/migrations/",
        False,
        "'secret': '㊙' is an entry of the emoji shortcode table the migration converts",
        "a dict key named like a secret whose value is an emoji in a data table is no key",
    ),
)
