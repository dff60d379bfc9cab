"""Bearer authentication and Otwa scope checks."""

from .errors import fail


def authenticate(app, request, provider, scope=None):
    """The API key of the request (401 when missing or bad; Otwa: 403 when it lacks `scope`)."""
    key = app.store.authenticate(provider, request.bearer_token())
    if key is None:
        fail(401, "Unauthorized" if provider == "otwa" else "Missing or invalid API key")
    if scope and scope not in (key.scopes or []):
        fail(403, f"Forbidden: this API key lacks the {scope} scope")
    request.api_key = key
    return key
