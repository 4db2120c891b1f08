"""The desktop bundle's entry point (packaging/annodesk.spec): the `annodesk` command; with no arguments (a double
click on the bundle) it opens the app on the demo workspace, from where File opens or connects to any other."""

import sys

from desktop.cli import main

sys.exit(main(sys.argv[1:] or ["demo"]))
