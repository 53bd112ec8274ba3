import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.settings")
application = get_wsgi_application()

from salesdesk.core.checkpoints import checkpoint_in_background  # noqa: E402  (after Django is set up)
from salesdesk.core.warm import freeze_when_warm  # noqa: E402

freeze_when_warm()
checkpoint_in_background()
