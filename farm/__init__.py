"""Central work that outgrows one machine, on existing engines: pre-labeling a server project on a Ray cluster.

A layer of its own above `sync` and `inference` (it joins the server's store with the model code, which neither may
import from the other); `desktop` reaches it for the `annodesk server prelabel` command. No Qt.
"""
