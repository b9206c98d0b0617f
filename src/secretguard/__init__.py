"""secretguard: keep credentials away from coding agents."""

__version__ = "0.1.0"
