"""Identity: who is who in an organization, proven by certificates chained to its root key.

Certificates and revocations (certificates.py), verifying a whole directory against the root
verify key (trust.py), the user's key bundle wrapped by a passkey's PRF output or by the recovery
code (keybundle.py, recovery.py), and the short-authentication-string exchange that lets an admin
certify a newcomer's keys (sas.py).
"""
