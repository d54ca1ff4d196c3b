# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Deliveries in flight: a bounded pool of sending threads, with a cap per
endpoint, so that a slow or dead receiver holds back only its own
deliveries. Pure bookkeeping: the sender and the queue do the ORM work.

Each target may also have deliveries waiting in line (``ahead``): they are
started by the thread whose POST to that target ends, at once, not when the
job's loop comes round to the landing (which writes outcomes and claims in
the database meanwhile): a fast receiver's slots never wait for the loop."""

import queue
import threading
from collections import Counter, defaultdict, deque
from concurrent.futures import ThreadPoolExecutor


class Flight:
    """``submit(tag, target, fn, *args)`` runs ``fn`` in a thread (at most
    ``size`` at once, ``per_target`` to one target; the others wait in their
    target's line); ``landed(timeout)`` returns ``[(tag, result)]`` of those
    that finished (waiting up to ``timeout`` seconds for the first one)."""

    def __init__(self, size, per_target, ahead=None):
        self.size = max(1, size)
        self.per_target = max(1, min(per_target, self.size))
        # What a target may have waiting beyond its running share.
        self.ahead = self.per_target if ahead is None else max(0, ahead)
        self.pool = ThreadPoolExecutor(self.size, thread_name_prefix="webhook-send")
        # Held by the job's thread and by the sending threads.
        self.lock = threading.Lock()
        self.finished = queue.SimpleQueue()
        self.taken = Counter()  # per target: submitted, not yet landed()
        self.running = Counter()
        self.lines = defaultdict(deque)  # per target: (tag, fn, args) waiting
        self.started = 0  # running now, every target
        self.count = 0  # submitted, not yet landed()
        self.closed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        with self.lock:
            # Left unsent (the job stopped on an error): their lease makes
            # them due again.
            self.closed = True
            self.lines.clear()
        self.pool.shutdown(wait=True)

    def __len__(self):
        return self.count

    def free(self):
        """How many more deliveries may be taken now: the threads that no
        target's share holds. What waits in line holds none, so a thread
        is there for every delivery that its target's share lets start:
        only a target's own share makes its deliveries wait."""
        with self.lock:
            held = sum(min(n, self.per_target) for n in self.taken.values())
        return self.size - held

    def busy(self):
        """{target: deliveries taken}, for the targets that have some."""
        with self.lock:
            return {target: n for target, n in self.taken.items() if n}

    def submit(self, tag, target, fn, *args):
        with self.lock:
            self.count += 1
            self.taken[target] += 1
            self.lines[target].append((tag, fn, args))
            self._start_waiting(target)

    def _start_waiting(self, first=None):
        """Start what waits, while a thread is free: ``first``'s line first
        (the target whose slot was freed), then the others in turn."""
        targets = [first] if first in self.lines else []
        targets += [t for t in self.lines if t != first]
        for target in targets:
            line = self.lines[target]
            while line and self.started < self.size and not self.closed:
                if self.running[target] >= self.per_target:
                    break
                tag, fn, args = line.popleft()
                self.running[target] += 1
                self.started += 1
                self.pool.submit(self._run, tag, target, fn, args)
            if not line:
                del self.lines[target]
            if self.started >= self.size:
                return

    def _run(self, tag, target, fn, args):
        """In a sending thread: ``fn``, then the next in line."""
        try:
            result = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - comes back as the result
            # What the thread raised comes back as the result: one bad
            # delivery must not stop the others.
            result = exc
        try:
            with self.lock:
                self.running[target] -= 1
                self.started -= 1
                self._start_waiting(target)
        finally:
            self.finished.put((tag, target, result))

    def landed(self, timeout=None):
        """``[(tag, result)]`` of what finished since the last call: all of
        it at once, once the first one is there."""
        if not self.count:
            return []
        try:
            done = [self.finished.get(timeout=timeout)]
        except queue.Empty:
            return []
        while True:
            try:
                done.append(self.finished.get_nowait())
            except queue.Empty:
                break
        with self.lock:
            for _tag, target, _result in done:
                self.taken[target] -= 1
                self.count -= 1
        return [(tag, result) for tag, target, result in done]

    def all_landed(self):
        results = []
        while self.count:
            results += self.landed()
        return results
