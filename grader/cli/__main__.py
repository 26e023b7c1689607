"""`python -m grader.cli`: the same as `dlgrade`."""

from grader.cli import main

main()
