"""The central Annodesk server: an ASGI app (FastAPI) over SQLAlchemy Core (SQLite by default, or PostgreSQL).

Processes keep no state between requests; everything lives in the database and the blob folder.
"""
