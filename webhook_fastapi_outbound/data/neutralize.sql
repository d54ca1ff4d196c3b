-- A copy of a production database must not call production endpoints:
-- switch outbound webhooks off and stop the deliveries still queued.
INSERT INTO ir_config_parameter (key, value)
VALUES ('webhook.outbound_enabled', 'False')
    ON CONFLICT (key) DO UPDATE SET value = 'False';

DELETE FROM webhook_outbound_event;

UPDATE webhook_log
   SET state = 'failed',
       next_attempt_date = NULL,
       error_message = 'Not sent: the database was neutralized.'
 WHERE log_type = 'send'
   AND state = 'pending';
