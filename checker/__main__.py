"""``python -m checker``: the program entry point, handed to the application.

This file is the one exception to "the engine imports nothing above it":
it is not part of the engine's library (nothing imports it); it only keeps
the documented command ``python -m checker`` working.  The command line
itself is `gocheck.cli`.
"""

import sys

from gocheck.cli import main

sys.exit(main())
