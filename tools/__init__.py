"""Annotation tools as Qt-free state machines fed plain pointer and key events. Imports only `core`."""
