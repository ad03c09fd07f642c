"""The platform admin's pages: escalated disputes to decide (and, in their own modules, the platform's metrics)."""
