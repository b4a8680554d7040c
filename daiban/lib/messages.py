"""Django's MessageMiddleware with the message storage made only when something uses it (issue 16).

The stock middleware builds the cookie and session storage (a signer, the cookie read) for every
request, the API's included, which never show a message: about a tenth of a small API request's
time. Here `request._messages` is a lazy object that builds the same storage on first use; a
response whose request never touched it skips `update()`, which would have done nothing (no message
read, none added). Everything else is the stock middleware's.
"""

from __future__ import annotations

from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty


class LazyMessageMiddleware(MessageMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(lambda: default_storage(request))  # type: ignore[attr-defined]

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        messages = getattr(request, "_messages", None)
        if type(messages) is SimpleLazyObject and messages._wrapped is empty:  # type: ignore[attr-defined]  # (isinstance would ask the wrapped object)
            return response  # never used: nothing to store
        return super().process_response(request, response)
