"""The AI chat and spec drafting (pure core; the OpenAI adapters live in bot/adapters/)."""
