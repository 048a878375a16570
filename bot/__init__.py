"""The SBH service and command line: everything with effects (GitHub, OpenAI, AWS, disk, DB)."""
