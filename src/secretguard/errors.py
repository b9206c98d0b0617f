"""The one error family a user is meant to see: the CLI turns it into one line and exit 2."""


class SecretguardError(RuntimeError):
    """A problem the user can fix: bad input, bad configuration, an unreachable service."""


class ConfigError(SecretguardError):
    """A settings file is malformed, has an unknown key or a value of the wrong type."""


class RuleError(SecretguardError):
    """A rule file or a rule in it is invalid."""
