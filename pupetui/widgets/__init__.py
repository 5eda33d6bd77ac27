"""Reusable widgets, and the helpers every screen uses to show untrusted text safely."""
