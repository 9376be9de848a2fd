from reports.resources import PublicRecordResource

from .models import Source


class SourceResource(PublicRecordResource):
    class Meta:
        model = Source
        fields = [
            "id",
            "kind",
            "title",
            "author",
            "date",
            "reference_number",
            "url",
            "identity_key",
        ]
        skip_unchanged = True
