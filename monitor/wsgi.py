import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitor.settings")
application = get_wsgi_application()
# The objects loaded so far (modules, models, admin, URL patterns) live as long as the process:
# moved out of the collector's view, a full collection no longer walks them, which otherwise
# happens during most admin saves of a large edition (BENCHMARKS.md, "The admin save").
gc.freeze()
