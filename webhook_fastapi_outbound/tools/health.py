# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the attempts that landed together say about each endpoint (a rule
and a target URL): pure bookkeeping, the endpoint model writes it."""

from dataclasses import dataclass

GONE = 410


@dataclass
class Tally:
    """The attempts of one endpoint in one landing, in the order they were
    made: whether one succeeded (the streak starts again after it), the
    failures after the last success, and whether the receiver said 410."""

    rule_id: int
    url: str
    succeeded: bool = False
    last_success: object = None
    fails: int = 0
    first_fail: object = None
    last_fail: object = None
    gone: bool = False

    def add(self, ok, when, status):
        if ok:
            self.succeeded, self.last_success = True, when
            self.fails, self.first_fail = 0, None
            return
        self.fails += 1
        self.first_fail = self.first_fail or when
        self.last_fail = when
        self.gone = self.gone or status == GONE


def tally_outcomes(outcomes):
    """[Tally] of ``outcomes`` ([(delivery, values written)]); an outcome
    without an attempt date made no request (a crash before it), so it says
    nothing about the endpoint."""
    attempts = [
        (vals["last_attempt_date"], delivery, vals)
        for delivery, vals in outcomes
        if vals.get("last_attempt_date")
        and delivery.outbound_rule_id
        and delivery.target_url
    ]
    tallies = {}
    for when, delivery, vals in sorted(attempts, key=lambda row: row[0]):
        key = (delivery.outbound_rule_id.id, delivery.target_url)
        tally = tallies.setdefault(key, Tally(*key))
        tally.add(vals.get("state") == "done", when, vals.get("http_status"))
    return list(tallies.values())
