# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Callbacks used to be found in the log (the latest received call about a
record, whoever sent it). Each record's callback now has an owner: the user
of the first call that gave one, with the latest URL that user gave. Rules
read their payload as their creator, no longer as the superuser."""


def migrate(cr, version):
    cr.execute(
        """INSERT INTO webhook_outbound_callback
                  (res_model, res_id, url, user_id,
                   create_uid, create_date, write_uid, write_date)
           SELECT DISTINCT ON (res_model, res_id) res_model, res_id,
                  callback_url, user_id, user_id, create_date, user_id, create_date
             FROM webhook_log
            WHERE log_type = 'receive' AND res_model IS NOT NULL
              AND res_id IS NOT NULL AND user_id IS NOT NULL
              AND callback_url IS NOT NULL AND callback_url != ''
         ORDER BY res_model, res_id, id
           ON CONFLICT (res_model, res_id) DO NOTHING"""
    )
    cr.execute(
        """UPDATE webhook_outbound_callback AS c
              SET url = latest.callback_url
             FROM (SELECT DISTINCT ON (res_model, res_id, user_id)
                          res_model, res_id, user_id, callback_url
                     FROM webhook_log
                    WHERE log_type = 'receive' AND callback_url != ''
                 ORDER BY res_model, res_id, user_id, id DESC) AS latest
            WHERE latest.res_model = c.res_model AND latest.res_id = c.res_id
              AND latest.user_id = c.user_id"""
    )
    cr.execute(
        """UPDATE webhook_outbound_rule AS r
              SET send_as_user_id = r.create_uid
             FROM res_users AS u
            WHERE u.id = r.create_uid AND u.active"""
    )
