"""``python -m tactful``: see tactful/cli.py."""

from tactful.cli import main

raise SystemExit(main())
