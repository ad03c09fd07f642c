"""The platform admin's pages: escalated disputes to decide (views.py) and the metrics dashboard (metrics_views.py)."""
