"""Identity on the server: passkey ceremonies, sessions, bootstrap, invitations, the directory.

The server authenticates passkeys (py_webauthn) and keeps sessions, but it never holds a usable
key: it stores certificates it can check but not forge, and key bundles wrapped by secrets (PRF
outputs, recovery codes) that never reach it.
"""
