"""The screens: one per program, each with its .tcss beside it."""
