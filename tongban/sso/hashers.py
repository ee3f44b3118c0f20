"""The hash of a client secret (单点登录 clients, issue 14 item 1).

The token endpoint checks the client's secret on every code exchange. Django's
password hasher (PBKDF2-SHA256 at 1,000,000 rounds) stretches a guessable
password so that a stolen hash takes years to reverse; it costs 0.4 s of CPU
here, which held the token endpoint to a few exchanges a second. A client
secret is not guessable: ``client_register`` draws 128 characters from a
62-letter alphabet (about 760 bits), and the admin refuses one shorter than
32 characters. Reversing a salted hash of such a secret is out of reach with
or without stretching, so it is hashed with one round of PBKDF2-SHA256 (an
HMAC with a fresh salt). Secrets hashed before keep verifying with the
password hasher (``PASSWORD_HASHERS`` lists both), only slower.
"""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher

MIN_SECRET_LENGTH = 32


class ClientSecretHasher(PBKDF2PasswordHasher):
    """PBKDF2-SHA256 with one round, for high-entropy client secrets only."""

    algorithm = "client_secret_sha256"
    iterations = 1
