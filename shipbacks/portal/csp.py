"""The Content Security Policy, site-wide, with additions for pages whose markup is not ours.

The policy in ``CONTENT_SECURITY_POLICY`` is strict (only this site's own scripts, styles,
images and connections; no inline code, no framing); the portal is written to it. The admin
works under it as well. drf-spectacular's Swagger UI page starts with an inline script and
style, so ``CONTENT_SECURITY_POLICY_PATH_UPDATES`` adds what it needs to that path only.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


class ScopedCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        updates = getattr(settings, "CONTENT_SECURITY_POLICY_PATH_UPDATES", {})
        for prefix, additions in updates.items():
            if request.path_info.startswith(prefix):
                merged = {key: list(value) for key, value in (parts.update or {}).items()}
                for directive, sources in additions.items():
                    merged[directive] = [*merged.get(directive, []), *sources]
                parts.update = merged
        return parts
