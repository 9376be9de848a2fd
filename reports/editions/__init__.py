"""The edition lifecycle: states, querysets, transitions, the freeze."""
