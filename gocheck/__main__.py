"""``python -m gocheck`` is ``python -m checker``."""

import sys

from gocheck.cli import main

sys.exit(main())
