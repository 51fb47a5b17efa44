"""The ``agentroute`` command line: a thin layer over the library, and the only code that prints."""
