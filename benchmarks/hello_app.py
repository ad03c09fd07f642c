"""The baseline of benchmarks/render.py: a bare Flask app answering "hello", served by the same gunicorn."""
from flask import Flask


def create_app() -> Flask:
    """A Flask app with one route and nothing else."""
    app = Flask(__name__)

    @app.get("/")
    def hello() -> str:
        """The cheapest page Flask can serve."""
        return "hello"

    return app
