"""The conversation: a pure function of (state, message) -> (state, reply)."""
