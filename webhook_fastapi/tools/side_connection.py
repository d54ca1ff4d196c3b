# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Connections in autocommit for one statement that must commit apart from
the call's transaction (an integration's rate counter).

An Odoo cursor of its own (``registry.cursor()``) costs four round trips
for one statement: the pool's reset of the connection (``DISCARD ALL``),
``BEGIN``, the statement, ``COMMIT``; plus the cursor's own bookkeeping
(about 0.5 ms a call). A connection in autocommit runs a query string as
one transaction of its own (several statements in one string too: one
implicit transaction, where ``SET LOCAL`` applies): one round trip.

Each process keeps a few of them per database (and setup), one per
concurrent user at most (``MAX_PER_DATABASE``; past that, ``run`` answers
None and the caller uses an Odoo cursor); one idle longer than Odoo's pool
keeps its own (``MAX_IDLE``) is closed and opened again, a broken one is
dropped.
"""

import logging
import os
import queue
import threading
import time

import psycopg2

from odoo.sql_db import connection_info_for

_logger = logging.getLogger(__name__)

MAX_PER_DATABASE = 4
MAX_IDLE = 600  # seconds, as odoo.sql_db.MAX_IDLE_TIMEOUT

_lock = threading.Lock()
_pools = {}  # {(dbname, setup): queue of (connection, last used)}
_opened = {}  # {(dbname, setup): connections open, idle or in use}
_pid = os.getpid()


def run(dbname, query, params, setup=None):
    """The rows of ``query`` run in a transaction of its own, committed when
    it returns; None when every connection this process may keep for
    ``dbname`` is in use. ``setup``: a statement run once on each new
    connection (e.g. a PREPARE that ``query`` EXECUTEs); the statements a
    connection was set up with are part of its identity in the pool.

    Database errors propagate (the server rolled the statement's
    transaction back); a connection that failed is not reused, and one
    found broken (the server restarted, the database was dropped and made
    again) is replaced once."""
    key = (dbname, setup)
    for attempt in (1, 2):
        cnx, reused = _borrow(key)
        if cnx is None:
            return None
        try:
            with cnx.cursor() as cr:
                cr.execute(query, params)
                rows = cr.fetchall()
        except psycopg2.Error as exc:
            _discard(key, cnx)
            lost = isinstance(exc, psycopg2.OperationalError | psycopg2.InterfaceError)
            if reused and attempt == 1 and lost and exc.pgcode is None:
                continue
            raise
        _give_back(key, cnx)
        return rows
    return None  # not reached: the second attempt returns or raises


def _borrow(key):
    """``(connection, reused)`` for ``key`` (dbname, setup), or
    ``(None, False)`` when none is left."""
    _check_fork()
    pool = _pools.get(key)
    while pool is not None:
        try:
            cnx, used = pool.get_nowait()
        except queue.Empty:
            break
        if not cnx.closed and time.monotonic() - used < MAX_IDLE:
            return cnx, True
        _discard(key, cnx)
    with _lock:
        if _opened.get(key, 0) >= MAX_PER_DATABASE:
            return None, False
        _opened[key] = _opened.get(key, 0) + 1
    try:
        cnx = _connect(*key)
    except Exception:
        with _lock:
            _opened[key] -= 1
        raise
    return cnx, False


def _connect(dbname, setup):
    _db, info = connection_info_for(dbname)
    cnx = psycopg2.connect(**info)
    try:
        cnx.autocommit = True
        if setup:
            with cnx.cursor() as cr:
                cr.execute(setup)
    except Exception:
        cnx.close()
        raise
    return cnx


def _give_back(key, cnx):
    _pools.setdefault(key, queue.SimpleQueue()).put((cnx, time.monotonic()))


def _discard(key, cnx):
    try:
        cnx.close()
    except psycopg2.Error as exc:  # already broken: nothing to close
        _logger.debug("Closing a broken connection: %s", exc)
    with _lock:
        _opened[key] = max(_opened.get(key, 0) - 1, 0)


def _check_fork():
    # A forked worker must not share its parent's sockets: start afresh.
    global _pid
    if os.getpid() != _pid:
        with _lock:
            _pid = os.getpid()
            _pools.clear()
            _opened.clear()
