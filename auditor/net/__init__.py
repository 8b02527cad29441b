"""The HTTP layer: address guard, guarded connections, capped fetches."""
