"""The one place the SBH version is written."""

__version__ = "0.1.0"
