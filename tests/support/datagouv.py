"""A fake data.gouv.fr dataservices API on the local test server, and records to fill it with."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.conftest import LocalServer

ENDPOINT = "/api/1/dataservices/"


def record(slug: str, badges: tuple[str, ...] = ("public-service",)) -> dict[str, Any]:
    return {
        "id": f"id-{slug}",
        "slug": slug,
        "title": slug.replace("-", " ").title(),
        "base_api_url": f"http://127.0.0.1:9/{slug}",
        "tags": ["hvd"] if slug.endswith("1") else [],
        "organization": {
            "id": f"org-{slug[0]}",
            "slug": "org",
            "name": "Organisation",
            "badges": [{"kind": b} for b in badges],
        },
        "availability": 99.9,
        "self_web_url": f"https://www.data.gouv.fr/dataservices/{slug}/",
    }


Response = tuple[int, Any]


class FakeDatagouv:
    """Serves ``pages[n]`` for ``?page=n``; a page given as a list of responses answers
    them in turn (the last one repeats), so a test can fail a page once."""

    def __init__(self, server: LocalServer, pages: dict[int, list[Response]], total: int) -> None:
        self.server = server
        self.pages = pages
        self.total = total
        self.queries: list[dict[str, list[str]]] = []
        server.routes[ENDPOINT] = self.handle

    def page(self, number: int, data: list[Any], *, last: bool = False) -> dict[str, Any]:
        following = None if last else self.server.url(f"{ENDPOINT}?page={number + 1}&page_size=2")
        return {
            "data": data,
            "page": number,
            "page_size": 2,
            "total": self.total,
            "next_page": following,
        }

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        query = parse_qs(urlsplit(handler.path).query)
        self.queries.append(query)
        number = int(query.get("page", ["1"])[0])
        answers = self.pages.get(number, [(404, {"message": "Not found"})])
        status, body = answers.pop(0) if len(answers) > 1 else answers[0]
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
