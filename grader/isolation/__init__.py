"""The isolation boundary: everything on either side of the worker process in which student code runs (worker, drivers, sources) and the grading process's handle on it (sandbox, codec, proctree)."""
