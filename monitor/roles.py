"""The editorial roles and the permissions each one holds.

Roles are groups, synchronised by data migrations so that every database has them; a later
migration that changes this table calls sync_roles again.
"""

RESEARCHER = "Researcher"
EDITOR = "Editor"
PUBLISHER = "Publisher"

EDITORIAL_CONTENT = [
    "reports.profile",
    "reports.edition",
    "reports.section",
    "reports.overviewfact",
    "reports.figure",
    "sources.footnote",
    "sources.citation",
    "sources.source",
]
REFERENCE_DATA = ["reports.country", "reports.topic", "reports.report", "reports.treatystatus"]
# A report's chapters are written by editors (researchers read them).
REPORT_CHAPTERS = ["reports.chapter"]
# Tabular import and export (django-import-export): every role exports, editors and up import.
IMPORTABLE = [*REFERENCE_DATA, "sources.source"]
EXPORT_ONLY = ["reports.overviewfact", "sources.footnote"]


def _model_perms(models, actions):
    perms = []
    for model in models:
        app_label, model_name = model.split(".")
        perms += [f"{app_label}.{action}_{model_name}" for action in actions]
    return perms


_researcher = (
    _model_perms(EDITORIAL_CONTENT, ["view", "add", "change"])
    + _model_perms(
        ["reports.section", "reports.overviewfact", "reports.figure", "sources.footnote"],
        ["delete"],
    )
    + _model_perms(REPORT_CHAPTERS, ["view"])
    + _model_perms(["sources.citation"], ["delete"])
    + _model_perms(REFERENCE_DATA, ["view"])
    + _model_perms([*IMPORTABLE, *EXPORT_ONLY], ["export"])
    + _model_perms(["reports.assignment"], ["view"])
    + ["reports.submit_edition", "reports.view_recordchange"]
)
_editor = (
    _researcher
    + _model_perms(REFERENCE_DATA, ["add", "change"])
    + _model_perms(REPORT_CHAPTERS, ["add", "change", "delete"])
    + _model_perms(IMPORTABLE, ["import"])
    + _model_perms(["reports.assignment"], ["add", "change", "delete"])
    + [
        "reports.review_edition",
        "reports.import_archive",
        "sources.merge_source",
        "reports.change_public_record",
    ]
)
_publisher = _editor + _model_perms(["reports.report"], ["delete"]) + ["reports.publish_edition"]

ROLE_PERMISSIONS = {
    RESEARCHER: sorted(set(_researcher)),
    EDITOR: sorted(set(_editor)),
    PUBLISHER: sorted(set(_publisher)),
}


def sync_roles(apps, using="default"):
    """Make each role group hold exactly its permissions (works on historical app registries)."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; a fresh database needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps, using=using)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    existing = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        # An earlier migration runs this table before a later one has made the model that
        # some permissions belong to; that later migration syncs again and grants them.
        group.permissions.set([existing[name] for name in perm_names if name in existing])
