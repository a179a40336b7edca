"""WSGI entry point: gunicorn --chdir tests/e2e/apps/django_site members.wsgi:application"""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "members.settings")
application = get_wsgi_application()
