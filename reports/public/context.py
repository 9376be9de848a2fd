"""The publication's identity (settings.PUBLICATION) in every template, as ``publication``."""

from django.conf import settings


def publication(request):
    return {"publication": settings.PUBLICATION}
