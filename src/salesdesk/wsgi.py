import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.settings")
application = get_wsgi_application()

from salesdesk.core.warm import freeze_when_warm  # noqa: E402  (after Django is set up)

freeze_when_warm()
