"""Data files shipped with the app: default label schemas, icons."""
