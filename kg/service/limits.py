"""A cap on request body size, enforced before any route reads the body.

Pure ASGI so it also covers chunked bodies without a Content-Length: the body is read
(up to the cap) and replayed to the app; one byte over the cap answers 413 in the one
error shape.
"""
from __future__ import annotations

import json


class BodyLimit:
    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def _too_large(self, send) -> None:
        body = json.dumps({"error": "PayloadTooLarge",
                           "message": f"the request body is larger than {self.max_bytes} bytes",
                           "where": "body", "fix": "send a smaller body (shorter query or fewer parameters)"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                too_big = False
            if too_big:
                return await self._too_large(send)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                chunks = None  # client went away: let the app see the disconnect
                first = message
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                return await self._too_large(send)
            if not message.get("more_body", False):
                break
        if chunks is None:
            pending = [first]
        else:
            pending = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replay():
            if pending:
                return pending.pop(0)
            return await receive()

        return await self.app(scope, replay, send)
