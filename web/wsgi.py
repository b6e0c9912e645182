"""WSGI entry point for production servers: ``gunicorn -w 1 --threads 100 web.wsgi:app``."""
from web import create_app

app = create_app()
