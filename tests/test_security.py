"""Logins are throttled, idle staff sessions end, the proxy header is trusted only when told."""

import logging
import os
import subprocess
import sys

import pytest
from django.test import override_settings
from django.urls import reverse

from monitor.security import LAST_SEEN

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")


def sign_in(client, password, address="198.51.100.7"):
    return client.post(
        LOGIN,
        {"username": "editor", "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def test_repeated_wrong_passwords_lock_the_account_with_a_clear_message(client, editor, caplog):
    caplog.set_level(logging.WARNING, logger="axes")
    for _ in range(5):
        assert sign_in(client, "wrong").status_code in (200, 429)
    locked = sign_in(client, "pass")  # the right password, too late
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.text and "15 minutes" in locked.text
    assert "_auth_user_id" not in client.session
    assert "AXES: New login failure" in caplog.text and "Locking out" in caplog.text
    # Someone else, elsewhere, is not locked out by it.
    assert sign_in(client, "pass", address="203.0.113.9").status_code == 302


def test_a_successful_login_forgets_earlier_failures(client, editor):
    for _ in range(4):
        sign_in(client, "wrong")
    assert sign_in(client, "pass").status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, "wrong")
    assert sign_in(client, "pass").status_code == 302


def test_an_idle_staff_session_ends_with_a_message(client, editor):
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200
    session = client.session
    session[LAST_SEEN] -= 31 * 60
    session.save()
    response = client.get("/admin/reports/", follow=True)
    assert response.redirect_chain[0][0] == f"{LOGIN}?next=%2Fadmin%2Freports%2F"
    assert "signed out after 30 minutes without activity" in response.text
    assert "_auth_user_id" not in client.session


def test_activity_keeps_a_staff_session_and_moves_its_expiry(client, editor):
    client.force_login(editor)
    session = client.session
    assert session.get_expiry_age() == 30 * 60
    session[LAST_SEEN] -= 29 * 60
    session.save()
    assert client.get("/admin/").status_code == 200
    assert client.session[LAST_SEEN] > session[LAST_SEEN]


def test_a_forwarded_https_header_is_not_believed_unless_behind_a_proxy(client):
    with override_settings(SECURE_SSL_REDIRECT=True):
        response = client.get("/robots.txt", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301 and response["Location"].startswith("https://")


@pytest.mark.parametrize(
    ("behind_proxy", "expected"),
    [("", "None"), ("true", "('HTTP_X_FORWARDED_PROTO', 'https')")],
)
def test_behind_proxy_alone_turns_on_the_forwarded_proto_header(behind_proxy, expected):
    env = {**os.environ, "SECRET_KEY": "x", "BEHIND_PROXY": behind_proxy}
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.SECURE_PROXY_SSL_HEADER)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "monitor.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == expected


def test_the_client_address_behind_a_proxy_is_the_one_the_proxy_added(rf):
    from monitor.security import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert client_ip(request) == "10.0.0.2"
    with override_settings(BEHIND_PROXY=True):
        assert client_ip(request) == "198.51.100.7"


def test_the_public_site_may_run_no_script_and_the_admin_only_its_own(client, superuser):
    public = client.get("/robots.txt")["Content-Security-Policy"]
    assert "default-src 'none'" in public and "script-src" not in public
    assert "style-src 'self';" in public + ";" and "frame-ancestors 'none'" in public
    client.force_login(superuser)
    admin = client.get("/admin/")["Content-Security-Policy"]
    assert "script-src 'self';" in admin + ";" and "default-src 'none'" in admin
