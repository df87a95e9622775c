"""API throttling."""

from rest_framework.throttling import SimpleRateThrottle


class IntegratorRateThrottle(SimpleRateThrottle):
    """Requests per integrator (all its tokens together)."""

    scope = "integrator"

    def get_cache_key(self, request, view):
        integrator = getattr(request.user, "integrator", None)
        if integrator is None:
            return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        return self.cache_format % {"scope": self.scope, "ident": integrator.pk}
