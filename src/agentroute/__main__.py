"""``python -m agentroute`` runs the command-line interface."""

import sys

if sys.argv[1:] == ["hook", "claude-code"]:
    # The hook runs once per prompt in a new process: skip building every command's parser.
    import argparse

    from agentroute.cli.authoring import cmd_hook

    sys.exit(cmd_hook(argparse.Namespace(router=None)))

from agentroute.cli.main import main

sys.exit(main())
