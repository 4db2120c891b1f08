"""Qt widgets: they show core values and translate Qt events into tool events."""
