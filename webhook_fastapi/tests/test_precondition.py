# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Issue 16 item 4: no lost updates (``if_unmodified_since``)."""

from odoo.tests import tagged

from .common import WebhookHttpCase, partner_params


@tagged("post_install", "-at_install")
class TestWriteDatePrecondition(WebhookHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls._make_company("Precond", "PRE-1")

    def set_write_date(self, fraction):
        """Put write_date at ``fraction`` of a second, in one fixed second."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET write_date = '2030-01-02 03:04:05'::timestamp"
            " + %s * interval '1 second' WHERE id = %s",
            [fraction, self.company.id],
        )
        self.env.invalidate_all()

    def read_write_date(self, precise=True):
        result = self.api_ok(
            "search_data",
            partner_params(
                {
                    "search_domain": [["id", "=", self.company.id]],
                    "search_field": ["write_date"],
                    "precise_write_date": precise,
                }
            ),
        )
        return result[0]["write_date"]

    def update(self, since, route="update_data", **payload):
        return self.post(
            route,
            partner_params(
                payload or {"phone": "42"},
                search_key={"ref": "PRE-1"},
                if_unmodified_since=since,
            ),
        )

    def test_search_data_returns_the_precise_write_date(self):
        self.set_write_date(0.25)
        self.assertEqual(self.read_write_date(), "2030-01-02 03:04:05.250000")
        self.assertEqual(self.read_write_date(False), "2030-01-02 03:04:05")

    def test_unchanged_record_is_written(self):
        self.set_write_date(0.25)
        since = self.read_write_date()
        self.assertApiOk(self.update(since))
        self.assertEqual(self.company.phone, "42")

    def test_write_in_the_same_second_is_409(self):
        self.set_write_date(0.25)
        since = self.read_write_date()
        self.set_write_date(0.75)  # someone wrote since, in the same second
        for route in ("update_data", "create_update_data"):
            status, body = self.update(since, route)
            self.assertApiError((status, body), 409, "modified", "nothing written")
            self.assertEqual(
                body["result"]["result"],
                {"id": self.company.id, "write_date": "2030-01-02 03:04:05.750000"},
            )
        self.assertFalse(self.company.phone)
        self.assertEqual(self.last_log().http_status, 409)

    def test_seconds_and_iso_forms(self):
        self.set_write_date(0.25)
        # To the second: the same second passes, a later one is seen.
        self.assertApiOk(self.update("2030-01-02 03:04:05"))
        self.set_write_date(1.5)
        self.assertApiError(self.update("2030-01-02T03:04:05Z"), 409)
        self.assertApiOk(self.update("2030-01-02T05:04:06+02:00", phone="43"))
        self.assertEqual(self.company.phone, "43")

    def test_bad_values_are_refused_and_nothing_written(self):
        for since in ("yesterday", "2030-13-01 00:00:00", "1" * 39):
            self.assertApiError(self.update(since), 400, "if_unmodified_since")
        status, _body = self.update("2" * 41)
        self.assertEqual(status, 422)
        self.assertFalse(self.company.phone)

    def test_upsert_that_creates_ignores_it(self):
        status, body = self.post(
            "create_update_data",
            partner_params(
                {"name": "Pre New", "ref": "PRE-NEW"},
                search_key={"ref": "PRE-NEW"},
                if_unmodified_since="2000-01-01 00:00:00",
            ),
        )
        self.assertEqual(status, 200, body)
        self.assertEqual(self.Partner.search_count([("ref", "=", "PRE-NEW")]), 1)
