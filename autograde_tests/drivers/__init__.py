"""Topic-specific drivers, one numpy-only module per topic: they run inside the worker, which never imports torch or a topic's grading module."""
