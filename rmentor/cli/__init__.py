"""Wing 5 · the command line (Typer + Rich): load once, run the steps, write, print."""
