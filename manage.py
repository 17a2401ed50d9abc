#!/usr/bin/env python
"""Django's command-line utility; `probity` (installed with the package) does the same."""

from probity.cli import main

if __name__ == "__main__":
    main()
