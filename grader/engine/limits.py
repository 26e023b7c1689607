"""Default time limits, in a module of their own so the command line can show them without
importing the engine."""

EXERCISE_SECONDS = 20.0  # per exercise: all its inputs
