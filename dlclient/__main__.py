"""`python -m dlclient …` runs the same CLI as the `dlp` console script."""

import sys

from dlclient.cli import main

if __name__ == "__main__":
    sys.exit(main())
