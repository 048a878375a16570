"""Adapters: the only modules that import githubkit, openai or boto3."""
