"""Anonymous users see nothing but the login page."""

from django.contrib.auth.middleware import LoginRequiredMiddleware as _Base
from django.middleware.locale import LocaleMiddleware


class LoginRequiredMiddleware(_Base):
    """Django's login-required middleware, leaving the API to answer 401 in JSON itself."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class ApplicationErrorMiddleware:
    """Turns a NotFound or PermissionDenied from a selector or service into a 404 or 403 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
        from django.http import Http404

        from giaoban.core.errors import NotFound, PermissionDenied

        if isinstance(exception, NotFound):
            raise Http404(exception.message)
        if isinstance(exception, PermissionDenied):
            raise DjangoPermissionDenied(exception.message)
        return None


class LanguageMiddleware(LocaleMiddleware):
    """Pages speak Vietnamese unless the user picks English with the switch (a cookie).

    Browsers in Vietnamese offices often announce en-US, so their Accept-Language does not decide
    the pages; the API, used by programs, honours it.
    """

    def process_request(self, request):
        if not request.path_info.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
