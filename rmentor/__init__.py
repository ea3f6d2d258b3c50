"""rmentor: run a reverse-mentoring program from plain files."""

__version__ = "0.1.0"
