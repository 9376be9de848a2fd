"""Who is asking, for how long they stay signed in, and what their browser may run.

client_ip       the address login throttling (django-axes) counts failures by
IdleTimeout     signs staff out after STAFF_IDLE_TIMEOUT seconds without a request
ContentSecurityPolicy  the public policy (CONTENT_SECURITY_POLICY), the admin's under /admin/
"""

import time
from urllib.parse import urlencode

from csp.middleware import CSPMiddleware
from csp.utils import default_config
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

LAST_SEEN = "monitor_last_seen"
# The session is written at most this often while someone works: not on every request.
TOUCH_EVERY = 60


def client_ip(request):
    """The client's address: REMOTE_ADDR, or behind the proxy (BEHIND_PROXY) the address the
    proxy appended to X-Forwarded-For. Earlier entries came from the client and prove nothing."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


def mark_seen(sender, request, user, **kwargs):
    """At login: the session's idle clock starts (so no request needs to write it at once)."""
    request.session[LAST_SEEN] = int(time.time())
    request.session.set_expiry(settings.STAFF_IDLE_TIMEOUT)


class IdleTimeout:
    """Signs a staff user out after STAFF_IDLE_TIMEOUT seconds without a request.

    Only requests that carry a session cookie are looked at, so a public page stays without a
    session lookup. The session's own expiry is moved with the clock, so an idle session also
    ends in the session store and in the browser.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN, 0)
            if now - last_seen > settings.STAFF_IDLE_TIMEOUT:
                minutes = settings.STAFF_IDLE_TIMEOUT // 60
                logout(request)
                messages.info(
                    request, f"You were signed out after {minutes} minutes without activity."
                )
                return redirect(f"{reverse('admin:login')}?{urlencode({'next': request.path})}")
            if now - last_seen > TOUCH_EVERY:
                request.session[LAST_SEEN] = now
                request.session.set_expiry(settings.STAFF_IDLE_TIMEOUT)
        return self.get_response(request)


class ContentSecurityPolicy(CSPMiddleware):
    """django-csp's middleware, with ADMIN_CONTENT_SECURITY_POLICY for the admin's pages."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.config is None and request.path.startswith(_admin_root()):
            parts.config = default_config(settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"])
        return parts


def _admin_root():
    return reverse("admin:index")
