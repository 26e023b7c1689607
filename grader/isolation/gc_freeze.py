"""Imported last by the workers' forkserver (see sandbox): freezes everything it has loaded.

Every worker is a fork of the forkserver. The cyclic garbage collector writes to each object it
examines, so in a fresh worker its first passes would copy most of the inherited memory pages; a
frozen object is never examined. This made starting a worker about three times cheaper in CPU.
Student code's objects are created after the fork and collected as usual.
"""

import gc

gc.freeze()
