"""The CRM itself: no Textual here; screens and headless commands both call these."""
