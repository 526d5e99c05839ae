"""Workspaces: their keys (an index per rotation, granted member by member), the signed and
encrypted versioned documents they hold (manifests), and files split into encrypted blocks."""
