"""Sharing policies (issue 23, item 4): administrators per organization, owners per workspace,
choose which ways of sharing with people without an account exist (download links, drop boxes),
their longest duration, and whether a password and a watermark are required.

`rules` owns the policy itself (defaults, how a workspace's policy tightens its organization's,
`check_link_allowed`); `routes` reads and sets them. The server enforces what it can see (the
kind, the expiry, the counts and sizes, whether a password proof is stored); the browser
enforces the rest (a watermark setting sealed in the link) with the same rules
(`web/policies.js`).
"""
