"""The job queue on the database, the workers that run it, and the delivery job."""
