"""What the commands share: choosing exercises, refusing outputs and sandboxes before any grading,
and saying where a report went."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.engine.lazy_modules import LazyModule

# The engine is imported where a command first uses it: `--help` and `list` need none of it, and
# torch is imported only when a plan must be drawn or a failure explained.
registry = LazyModule("grader.engine.registry")
reports = LazyModule("grader.reports.text")


def select_exercises(names):
    try:
        return registry.select(names)
    except registry.UnknownName as exc:
        raise click.UsageError(str(exc)) from None


class CommandError(click.ClickException):
    """One line ("Error: ...") and exit 2, for what the command line asks that cannot be done."""

    exit_code = 2


def check_outputs(*named: tuple[str, str | None]) -> None:
    """Before any grading: every output path given can be written (a class is not graded for nothing)."""
    for option, path in named:
        if path and (why := reports.unwritable(Path(path))):
            raise CommandError(f"{option} {path}: {why}")


def written_where_asked(what: str, written: reports.Written) -> bool:
    """Says where a report went when it could not go where asked; True if it went where asked."""
    if written.failure:
        click.echo(f"Error: could not write the {what} ({written.failure}); it is in {written.path} instead",
                   err=True)
    return written.failure is None


def check_sandbox(require: bool) -> None:
    """Announces a confinement weaker than full on stderr; with --require-sandbox refuses it (exit 2)."""
    from grader.isolation import confine  # noqa: PLC0415

    try:
        level = confine.level()
    except confine.SandboxError as exc:
        raise click.UsageError(str(exc)) from None
    if level == confine.FULL:
        return
    if require:
        click.echo(f"Error: --require-sandbox: workers would run with sandbox {level!r}, not {confine.FULL!r} "
                   f"(see docs/confinement.md)", err=True)
        sys.exit(2)
    click.echo(f"warning: submissions are confined at level {level!r} only, not {confine.FULL!r} "
               f"(see docs/confinement.md)", err=True)


def existing_dir(path: str, what: str) -> Path:
    folder = Path(path)
    if not folder.is_dir():
        raise click.UsageError(f"{what} {path!r} is not a folder")
    return folder


def start_workers_server() -> None:
    """Starts the workers' forkserver before the content is imported and the plan read or drawn, so
    that its own start-up runs meanwhile, in its own process."""
    from grader.isolation import sandbox, start_method  # noqa: PLC0415

    try:
        sandbox.start_server()
    except start_method.StartMethodError as exc:
        raise click.UsageError(str(exc)) from None


def grading_inputs_options(command):
    """--public-inputs and --key-file: which inputs an instructor's grading uses."""
    command = click.option("--key-file", type=click.Path(dir_okay=False),
                           help="The grading key to draw the secret inputs from (default: $DLGRADE_GRADING_KEY, "
                                "else the key in your config folder, made on first use; for --course, the "
                                "course's .dlgrade/grading-key).")(command)
    return click.option("--public-inputs", is_flag=True,
                        help="Grade on the self-check's public inputs instead of secret ones (to compare with "
                             "what a student saw; such grades can be hard-coded).")(command)


def grading_inputs(public: bool, key_file: str | None, *, default: Path | None = None):
    """The inputs of an instructor's grading (inputs.Inputs): the secret ones of the grading key, or
    the public ones with --public-inputs. A key that cannot be used is one line and exit 2."""
    from grader.engine.inputs import PUBLIC  # noqa: PLC0415
    from grader.integrations import grading_key  # noqa: PLC0415

    if public:
        if key_file:
            raise click.UsageError("--public-inputs grades on the self-check's inputs: it takes no --key-file")
        return PUBLIC
    try:
        return grading_key.instructor_inputs(key_file, lambda line: click.echo(line, err=True), default=default)
    except grading_key.GradingKeyError as exc:
        raise CommandError(str(exc)) from None
