"""Qt-free domain of Annodesk: shapes, geometry, label schemas, tasks, annotations, edit commands and formats.

This package imports nothing else of the project.
"""
