"""``python -m docintake``: the command line."""

import sys

from docdocintake.cli import main

sys.exit(main())
