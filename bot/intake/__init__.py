"""Webhook intake: the route GitHub calls, signatures, storing deliveries, routing events."""
