# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Standard Webhooks signing (https://www.standardwebhooks.com/).

Secrets look like ``whsec_<base64>``: the HMAC key is the decoded part, which
is what the Standard Webhooks libraries of receivers expect.
"""

import base64
import hashlib
import hmac
import secrets
import uuid

SECRET_PREFIX = "whsec_"


def generate_secret():
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def generate_message_id():
    return "msg_" + uuid.uuid4().hex


def secret_key(secret):
    """The HMAC key of ``secret``: the decoded base64 after ``whsec_``; a
    secret typed by hand in another form is used as UTF-8 bytes."""
    if secret.startswith(SECRET_PREFIX):
        try:
            return base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
        except ValueError:
            return secret.encode()
    return secret.encode()


def sign(secret, msg_id, timestamp, body):
    """``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``; body is bytes."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()
