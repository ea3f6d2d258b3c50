"""`python -m rmentor`."""

from .cli.app import main

main()
