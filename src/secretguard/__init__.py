"""secretguard: keep credentials away from coding agents."""

__version__ = "0.2.0"
