# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Who is calling: content type, API key or session, and the caller's
environment (part of webhook.api.service)."""

import hashlib
import re

from odoo import api, models, tools
from odoo.exceptions import AccessDenied
from odoo.tools import SQL

from odoo.addons.base.models.res_users import INDEX_SIZE, KEY_CRYPT_CONTEXT

from ..tools import ApiError

# The header the original addon's clients send the key in (see the readme).
API_KEY_HEADER = "x-api-key"
BEARER = re.compile(r"^\s*bearer\s+(\S*)\s*$", re.IGNORECASE)
JSON_CONTENT_TYPE = re.compile(
    r"^\s*application/([a-z0-9.+-]*\+)?json\s*(;.*)?$", re.IGNORECASE
)
# What _api_user_env needs of the caller (res_users u, res_partner p): main
# company, language, time zone, and its active companies in their order
# with their parent_path (see _api_user_env).
USER_COLUMNS = """u.company_id, p.lang, p.tz,
       ARRAY(SELECT ARRAY[c.id::text, c.parent_path]
               FROM res_company_users_rel rel
               JOIN res_company c ON c.id = rel.cid
              WHERE rel.user_id = u.id AND c.active
           ORDER BY c.sequence, c.id)"""
USER_SQL = f"""SELECT {USER_COLUMNS}
                 FROM res_users u
                 JOIN res_partner p ON p.id = u.partner_id
                WHERE u.id = %s AND u.active"""
# An API key's row when it is valid now: one table by its primary key (cheap
# to plan, where the join with the user's values took 0.25 ms of planning
# on every call), read on every call.
KEY_SQL = """SELECT user_id, webhook_integration_id FROM res_users_apikeys
              WHERE id = %s
                AND (scope IS NULL OR scope IN ('rpc', 'webhook_fastapi'))
                AND (expiration_date IS NULL
                     OR expiration_date >= statement_timestamp() at time zone 'utc')"""
# The values of a key's user when the user is active and the key's
# integration (if any) is active and the user's.
KEY_CALLER_SQL = f"""SELECT {USER_COLUMNS}
                       FROM res_users u
                       JOIN res_partner p ON p.id = u.partner_id
                  LEFT JOIN webhook_integration i ON i.id = %(integration)s
                      WHERE u.id = %(uid)s AND u.active
                        AND (%(integration)s IS NULL
                             OR (i.active AND i.user_id = u.id))"""


# One model in three files, to keep each under 400 lines.
class WebhookApiService(models.AbstractModel):
    _inherit = "webhook.api.service"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _api_check_content_type(self, http_info):
        # Also what keeps cookie-authenticated calls safe from cross-site
        # forms: browsers cannot send application/json cross-site without
        # a CORS preflight, which these routes never grant.
        content_type = _header(http_info, "content-type") or ""
        if not JSON_CONTENT_TYPE.match(content_type):
            raise ApiError(
                "Content-Type must be application/json, "
                f"got {content_type or 'none'!r}",
                415,
            )

    @api.model
    def _api_authenticate(self, http_info):
        """Return the uid of the caller: an API key wins over a session, and
        ``Authorization: Bearer`` over ``x-api-key`` (where the original
        addon's clients send the same key)."""
        key = self._api_key_of(http_info)
        if key is not None:
            row = None
            if key:
                # The call's savepoint rides on the key's query (taken only
                # when that query is sent: see CallSavepoint.take_opening).
                savepoint = http_info.get("webhook_savepoint")
                before = savepoint.take_opening() if savepoint else None
                row = self._api_key_user_row(key, before)
            if not row:
                raise ApiError("Invalid API key", 401)
            uid, integration_id, key_id = row[:3]
            http_info.update(
                # For the integration's checks and log (webhook_integration_gate.py).
                webhook_integration_id=integration_id,
                webhook_key_id=key_id,
                # What _api_user_env would read again: read with the key.
                webhook_user_row=(uid, row[3:]),
            )
            return uid
        uid = http_info.get("session_uid")
        if uid:
            if (_header(http_info, "sec-fetch-site") or "").lower() == "cross-site":
                raise ApiError(
                    "Cross-site requests cannot use the session cookie; use an API key",
                    403,
                )
            return uid
        raise ApiError(
            "Authentication required: send the API key as "
            "'Authorization: Bearer <api key>' or as 'x-api-key: <api key>', "
            "or the session cookie from /web/session/authenticate",
            401,
        )

    @api.model
    def _api_key_of(self, http_info):
        """The API key the request carries ('' when a header is empty), or
        None when it carries none."""
        authorization = _header(http_info, "authorization")
        if authorization is not None:
            match = BEARER.match(authorization)
            if not match:
                raise ApiError("Authorization header must be 'Bearer <api key>'", 401)
            return match.group(1)
        api_key = _header(http_info, API_KEY_HEADER)
        return None if api_key is None else api_key.strip()

    @api.model
    def _api_identify(self, http_info):
        """The caller's uid when its credentials are valid, else None; never
        raises (for log entries of calls refused before any route ran)."""
        try:
            return self._api_authenticate(http_info)
        except (ApiError, AccessDenied):
            return None

    @api.model
    def _api_key_uid(self, key):
        """The user of an API key, or None."""
        return self._api_key_row(key)[0]

    @api.model
    def _api_key_row(self, key):
        """``(uid, integration id, key id)`` of an API key, Nones when it is
        not valid now (see ``_api_key_user_row``)."""
        row = self._api_key_user_row(key)
        return row[:3] if row else (None, None, None)

    @api.model
    def _api_key_user_row(self, key, before=None):
        """``(uid, integration id, key id, *user values)`` of an API key
        (the user values as ``_api_user_env`` reads them), or None when the
        key is not valid now.

        Verifying a key hashes it with thousands of rounds (several ms), so
        which key row a key matches is cached per worker, by a digest of the
        key. Whether that row still exists and is unexpired is read on
        every call, by its primary key: a key revoked or expired anywhere
        (another worker, a shell, SQL) stops working at once, to the second
        (the statement's clock, not the transaction's). Whether its user is
        active and its integration (if any) active and the user's, and
        what the call needs of the user, are cached per worker
        (``_api_key_caller``): Odoo clears that cache on every worker when
        a user's state, companies, language or time zone, a company or an
        integration change through the ORM (res_users, res_company,
        webhook.cached.rules.mixin; res_partner.py here), as it does for
        its own per-user caches. ``before``: an SQL statement sent first in
        the same round trip (the call's savepoint), whether the key is
        valid or not."""
        digest = hashlib.sha256(key.encode()).hexdigest()
        key_id = self.with_context(webhook_api_key=key)._api_key_row_cached(digest)
        query = SQL(KEY_SQL, key_id or 0)
        if before is not None:
            query = SQL("%s; %s", before, query)
        elif not key_id:
            return None
        self.env.cr.execute(query)
        row = self.env.cr.fetchone()
        if not row:
            return None
        uid, integration_id = row
        caller = self._api_key_caller(uid, integration_id)
        return (uid, integration_id, key_id, *caller) if caller else None

    @api.model
    @tools.ormcache("uid", "integration_id")
    def _api_key_caller(self, uid, integration_id):
        """``(company id, lang, tz, ((company id, parent_path), ...))`` of
        the user of a key of ``integration_id`` (None: none), or None when
        the user is archived or the integration archived or another
        user's. Cached: see ``_api_key_user_row``."""
        self.env.cr.execute(SQL(KEY_CALLER_SQL, uid=uid, integration=integration_id))
        row = self.env.cr.fetchone()
        if not row:
            return None
        main, lang, tz, companies = row
        # Immutable: the cache hands the same value to every call.
        return main, lang, tz, tuple(tuple(company) for company in companies)

    @api.model
    @tools.ormcache("digest")
    def _api_key_row_cached(self, digest):
        # The id of the key row the key verifies against (as Odoo's own
        # res.users.apikeys._check_credentials checks it), or None.
        key = self.env.context["webhook_api_key"]
        self.env.cr.execute(
            "SELECT id, key FROM res_users_apikeys WHERE index = %s",
            [key[:INDEX_SIZE]],
        )
        for key_id, hashed in self.env.cr.fetchall():
            if KEY_CRYPT_CONTEXT.verify(key, hashed):
                return key_id
        return None

    @api.model
    def _api_user_env(self, uid, row=None, company_paths=False):
        """This service as the caller, with all of the caller's companies.
        ``row``: the user's values (``USER_COLUMNS``), when the caller's
        API key query read them already. ``company_paths``: put the
        companies' parent_path in the cache (see ``_cache_parent_paths``)."""
        # One query for what the call needs, read fresh: reading a field of
        # res.users through the ORM fetches all its columns and its
        # partner's on every call, and Odoo's per-user caches are not all
        # cleared when a company drops a user or a partner changes language.
        if row is None:
            self.env.cr.execute(USER_SQL, [uid])
            row = self.env.cr.fetchone()
            if not row:
                raise ApiError("The user of these credentials is archived", 401)
        main, lang, tz, companies = row
        paths = {int(cid): path for cid, path in companies}
        company_ids = [main] + [cid for cid in paths if cid != main]
        kept = ("lang", "webhook_response_format")
        ctx = {k: v for k, v in self.env.context.items() if k in kept}
        ctx.update(allowed_company_ids=company_ids, tz=tz or "UTC")
        if "lang" not in ctx and lang:
            ctx["lang"] = lang
        # A new environment, not with_user(): the caller must also be the
        # transaction's origin user, which Odoo uses for x2many commands on
        # models that refuse sudo commands (res.partner, res.users...).
        env = api.Environment(self.env.cr, uid, ctx)
        if company_paths:
            _cache_parent_paths(env, paths)
        return env[self._name]


def _cache_parent_paths(env, paths):
    """Put the caller's companies' parent_path ({id: path}) in the
    transaction's cache. Record rules with ``parent_of company_ids`` (on
    res.partner, products...) read it on every call, and reading one field
    of a company fetches all of its columns (some 160 with sale and stock:
    about 1 ms a call), which a read needs no more of. (A write reads other
    fields of its company, then of the others: without their paths, the
    rule's read fetches them all at once, one query less.) Values already
    in the cache (maybe changed by this transaction) are kept."""
    companies = env["res.company"].browse(paths)
    field = companies._fields["parent_path"]
    missing = companies.browse(env.cache.get_missing_ids(companies, field))
    if missing:
        env.cache.update(missing, field, [paths[cid] for cid in missing.ids])


def _header(http_info, name):
    headers = http_info.get("headers") or {}
    if name in headers:
        return headers[name]
    # Header names are case-insensitive; clients write x-api-key in any case.
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)
