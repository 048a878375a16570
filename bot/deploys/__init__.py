"""Deploys of built systems: dispatching them, what SBH records, and their health."""
