"""The application shell: main window, actions, settings, background jobs and the `annodesk` command line."""
