"""The one kind of error a user is shown as a single line (and exit code 2), never a traceback."""


class UserError(Exception):
    """Bad input from outside the program: a file, a directory, a configuration."""


class DataError(UserError):
    """A data directory or IDX file that cannot be read."""


class WeightsError(UserError):
    """A weights file or its JSON sidecar that cannot be loaded."""
