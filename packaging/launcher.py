"""The desktop bundle's entry point (packaging/annodesk.spec): the `annodesk` command; with no arguments (a double
click, the menu entry) it opens the app on the last workspace, else on the welcome page (connect, open, new, demo)."""

import sys

from desktop.cli import main

sys.exit(main(sys.argv[1:] or ["open"]))
