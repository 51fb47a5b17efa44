"""``python -m agentroute`` runs the command-line interface."""

import sys

from agentroute.cli.main import main

sys.exit(main())
