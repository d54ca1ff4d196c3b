"""The benchmark's client (native JSON-RPC and the webhook API, with query
counts from the server's access log), its timing loop, and a TCP proxy that
puts the client a network round trip away."""

import json
import re
import socket
import statistics
import threading
import time
from pathlib import Path

import requests

LOG_LINE = re.compile(r'"POST (\S+) HTTP/[\d.]+" (\d+) - (\d+) ')


class Client:
    def __init__(self, url, db, login, password, key, log_path):
        self.url = url.rstrip("/")
        self.db = db
        self.login = login
        self.key = key
        self.password = password
        self.http = requests.Session()
        self.log_path = Path(log_path) if log_path else None
        self.uid = self.rpc("common", "login", db, login, password)
        self.rpc_id = 0

    def clone(self):
        """Another client for the same user, with its own HTTP session (for
        a second thread)."""
        return Client(
            self.url, self.db, self.login, self.password, self.key, self.log_path
        )

    # -- native JSON-RPC ------------------------------------------------
    def rpc(self, service, method, *args):
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": args},
        }
        answer = self.http.post(f"{self.url}/jsonrpc", json=body, timeout=300).json()
        if "error" in answer:
            raise RuntimeError(json.dumps(answer["error"])[:2000])
        return answer["result"]

    def execute_kw(self, model, method, args, kwargs=None):
        return self.rpc(
            "object",
            "execute_kw",
            self.db,
            self.uid,
            self.key,
            model,
            method,
            args,
            kwargs or {},
        )

    # -- the webhook API ------------------------------------------------
    def api(self, route, params):
        response = self.http.post(
            f"{self.url}/api/{route}",
            json={"params": params},
            headers={"Authorization": f"Bearer {self.key}"},
            timeout=300,
        )
        body = response.json()
        if response.status_code != 200:
            raise RuntimeError(
                f"{route}: {response.status_code} {json.dumps(body)[:2000]}"
            )
        return body["result"]["result"]

    # -- measuring ------------------------------------------------------
    def log_offset(self):
        return self.log_path.stat().st_size if self.log_path else 0

    def queries_since(self, offset):
        """SQL queries of the requests logged since ``offset`` (summed)."""
        if not self.log_path:
            return None
        for _ in range(50):  # the access line is written just after the answer
            with open(self.log_path, "rb") as log:
                log.seek(offset)
                text = log.read().decode("utf-8", "replace")
            counts = [int(m.group(3)) for m in LOG_LINE.finditer(text)]
            if counts:
                return sum(counts)
            time.sleep(0.02)
        return None


def measure(contenders, rounds):
    """Run each contender once per round, interleaved; return medians (s)."""
    times = {name: [] for name in contenders}
    queries = {}
    for _ in range(rounds):
        for name, (client, func) in contenders.items():
            offset = client.log_offset()
            started = time.perf_counter()
            func()
            times[name].append(time.perf_counter() - started)
            time.sleep(0.05)
            queries[name] = client.queries_since(offset)
    return {name: statistics.median(values) for name, values in times.items()}, queries


def unique_names(client, model, domain, count):
    rows = client.execute_kw(
        model, "search_read", [domain], {"fields": ["name"], "limit": 400}
    )
    seen = {}
    for row in rows:
        seen[row["name"]] = seen.get(row["name"], 0) + 1
    names = [name for name, n in seen.items() if n == 1][:count]
    if len(names) < count:
        raise RuntimeError(
            f"need {count} {model} with unique names, found {len(names)}"
        )
    return names


class DelayProxy:
    """A TCP proxy on 127.0.0.1 that holds every chunk ``delay`` seconds in
    each direction: a client ``2 * delay`` away from the server (its network
    round trip), the same for every contender."""

    def __init__(self, target_port, delay):
        self.delay = delay
        self.target = ("127.0.0.1", target_port)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _addr = self.sock.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            for src, dst in ((client, server), (server, client)):
                threading.Thread(
                    target=self._pump, args=(src, dst), daemon=True
                ).start()

    def _pump(self, src, dst):
        try:
            while chunk := src.recv(65536):
                time.sleep(self.delay)
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        self.sock.close()
