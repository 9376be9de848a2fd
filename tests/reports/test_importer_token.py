"""The import confirmation token is tied to the user who made the preview."""

import pytest

from monitor.roles import PUBLISHER
from reports.models import Edition
from tests.reports import test_importer

UPLOAD = test_importer.TestAdminUpload()  # not imported by name: pytest would run it again

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("action", ["confirm", "cancel"])
def test_another_user_cannot_confirm_or_cancel_someone_elses_preview(
    action, client, publisher, make_user, tmp_path, settings
):
    settings.IMPORT_STAGING_DIR = tmp_path
    client.force_login(publisher)
    token = UPLOAD.upload(client, test_importer.SEED_003).context["token"]

    client.force_login(make_user("other-publisher", PUBLISHER))
    response = client.post(UPLOAD.url, {"token": token, action: "1"}, follow=True)

    assert "This preview was made by someone else" in response.text
    assert not Edition.objects.exists()
    assert any(tmp_path.iterdir())  # the owner's staged upload is still there for them
    client.force_login(publisher)
    client.post(UPLOAD.url, {"token": token, "confirm": "1"})
    assert Edition.objects.count() == 1
