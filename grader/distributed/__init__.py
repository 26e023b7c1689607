"""Grading a class at scale: students spread over threads or Dask workers, every finished student
journaled (so a crash, a Ctrl-C or a SIGTERM loses nothing finished and `--resume` grades only the
rest), and the final reports streamed from the journal (so memory does not grow with the class).

Runners (`threads`, `dask_cluster`) yield `GradedStudent`s: plain data, the same from either. Only
the client process writes files.
"""
