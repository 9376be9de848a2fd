"""Large previews and imports run outside the web request, in the task queue's worker.

django-tasks with its database backend (django-tasks-db): the queue is a table of the project's
own database (PostgreSQL in production), and `manage.py db_worker` runs the tasks (`make run`
starts one; see the README for production). The admin's Import archive page hands over any
upload of more than IMPORT_MAX_REQUEST_CHARS characters and shows the job's progress page.
"""

import json
import shutil

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django_tasks import task


@task()
def import_staged(key, data, user_id, dry_run):
    """Preview (dry run) or import the upload staged under `key`, as the user who sent it.

    Returns the import's report. The staged files stay for the confirmation after a preview and
    are removed after an import, or when the task fails.
    """
    from .admin_views import options_from, staged_documents, staging_root
    from .service import import_documents

    user = get_user_model().objects.get(pk=user_id)
    try:
        report = import_documents(staged_documents(key), options_from(data, user, dry_run))
    except BaseException:
        shutil.rmtree(staging_root() / key, ignore_errors=True)
        raise
    if not dry_run:
        shutil.rmtree(staging_root() / key, ignore_errors=True)
    return json.loads(json.dumps(report, cls=DjangoJSONEncoder))
