"""``python -m migrator.cmd.manage``: migrator-manage without the console
script."""
import sys

from migrator.cmd.manage import main

sys.exit(main())
