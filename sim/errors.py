"""The errors policesim reports to its users: one line, naming what is wrong, never a traceback."""


class PolicesimError(Exception):
    """Base of every error the command line turns into a one-line message and a non-zero exit."""

    exit_code = 2


class ConfigError(PolicesimError):
    """A scenario, experiment or sweep file that is invalid: the message names the field path."""


class DataError(PolicesimError):
    """An input data file (incident log, CSV distribution) that is missing or has a bad row."""


class OutputExistsError(PolicesimError):
    """A results location that already holds results; refused unless the user passes --force."""


class OverloadError(PolicesimError):
    """A scenario whose queue grows without bound, stopped early rather than run forever."""

    exit_code = 3
