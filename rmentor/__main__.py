"""`python -m rmentor`."""

from .cli import main

main()
