"""nbgrader and Gradescope integration: stubs, notebooks, releases, course grading and the Gradescope autograder."""
