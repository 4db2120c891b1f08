"""The sync client: credentials, encryption at rest, batching, HTTP, and the push/pull engine (docs/sync.md)."""
