"""What SBH does for an event: build, spec checks, the spec in an issue, commands, reports."""
