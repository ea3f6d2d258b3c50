"""Wing 1 · what a program is: frozen records, each remembering file:line; the checks over them.

Nothing here reads or writes a file.
"""
