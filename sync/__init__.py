"""The local workspace (SQLite), and later the sync client and server. Imports only `core`."""
