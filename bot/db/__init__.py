"""Persistence: the engine and sessions (`bot.db.database`), the tables (`bot.db.models`)."""
