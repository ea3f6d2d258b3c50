"""Wing 2 · the program folder ⇄ the model: every read and every write.

`load.load(folder)` reads each file of the program once.
"""
