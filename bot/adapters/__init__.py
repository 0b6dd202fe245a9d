"""Channels: the only code that reads input, prints, exits, or talks to a network."""
