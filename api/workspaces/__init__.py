"""Workspaces on the server: membership and roles, key grants, encrypted documents and blocks.

The server enforces who may read and write (membership, role, expected versions, sizes, quotas)
and stores what it is given; it cannot read any of it. Clients verify the signatures.
"""
