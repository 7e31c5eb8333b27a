"""Every error consumer_nlp raises on purpose, in one place: catch these, not their messages."""


class ModelNotFoundError(KeyError):
    """No model answers to a registry reference (name, version or alias)."""

    def __str__(self) -> str:  # the message itself, not KeyError's quoted repr of it
        return str(self.args[0]) if self.args else ""


class UntrustedModelError(ValueError):
    """A model file is damaged, or holds something a fitted model never contains; it was not loaded."""


class IncompatibleModelError(ValueError):
    """A model file is of another format version (a newer release, or the skops files of 0.1)."""


class IntegrityError(ValueError):
    """A stored artifact or registry file does not match what was recorded when it was written."""


class LabeledDataError(ValueError):
    """Labeled data with bad rows; ``problems`` lists every one as (where, what)."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.problems = problems
        lines = "\n".join(f"  {where}: {what}" for where, what in problems)
        super().__init__(f"{source}: {len(problems)} problem(s), so it was not used:\n{lines}")
