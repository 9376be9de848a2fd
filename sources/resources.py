from import_export import resources

from .models import Source


class SourceResource(resources.ModelResource):
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
