"""The seed generator: builds the demo inbox from the corpus (:mod:`rcinbox.emulator.corpus`).

:mod:`rcinbox.emulator.seed` is its public face. ``basics`` holds the constants, ids and time
formatting; ``persons`` people and their identity records; ``writing`` how a message is worded;
``shape`` the business and the shape of the inbox (which threads, how long, when); ``threads``
the conversations themselves. Every draw comes from one ``random.Random``, in a fixed order: moving
a draw changes every seed's data.
"""
