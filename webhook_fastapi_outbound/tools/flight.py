# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Deliveries in flight: a bounded pool of sending threads, with a cap per
endpoint, so that a slow or dead receiver holds back only its own
deliveries. Pure bookkeeping: the sender and the queue do the ORM work."""

from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait


class Flight:
    """``submit(tag, target, fn, *args)`` runs ``fn`` in a thread;
    ``landed(timeout)`` returns ``[(tag, result)]`` of those that finished
    (waiting up to ``timeout`` seconds for the first one)."""

    def __init__(self, size, per_target):
        self.size = max(1, size)
        self.per_target = max(1, min(per_target, self.size))
        self.pool = ThreadPoolExecutor(self.size, thread_name_prefix="webhook-send")
        self.futures = {}
        self.targets = Counter()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.pool.shutdown(wait=True)

    def __len__(self):
        return len(self.futures)

    def free(self):
        return self.size - len(self.futures)

    def busy(self):
        """{target: deliveries in flight}, for the targets that have some."""
        return {target: n for target, n in self.targets.items() if n}

    def submit(self, tag, target, fn, *args):
        future = self.pool.submit(fn, *args)
        self.futures[future] = (tag, target)
        self.targets[target] += 1

    def landed(self, timeout=None):
        if not self.futures:
            return []
        done, _pending = wait(self.futures, timeout, return_when=FIRST_COMPLETED)
        results = []
        for future in done:
            tag, target = self.futures.pop(future)
            self.targets[target] -= 1
            # What the thread raised comes back as the result: one bad
            # delivery must not stop the others.
            error = future.exception()
            results.append((tag, error if error else future.result()))
        return results

    def all_landed(self):
        results = []
        while self.futures:
            results += self.landed()
        return results
