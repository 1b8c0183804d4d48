"""``python -m tactful``: see tactful/cli/."""

from tactful.cli import main

raise SystemExit(main())
