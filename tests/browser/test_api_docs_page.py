"""/docs in Chromium: Swagger UI from this server renders every operation, under the site's CSP, with no
request leaving the server (the page fixture fails on any request to another host and on CSP errors)."""
from __future__ import annotations

from playwright.sync_api import expect

from app.web.api_docs import load_examples


def test_docs_render_every_operation_from_this_server_alone(page):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto("/docs")
    operations = page.locator(".opblock")
    expect(operations).to_have_count(len(load_examples()), timeout=20_000)
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    soften = page.locator(".opblock", has_text="/api/kd/soften")
    summary = page.request.get("/openapi.json").json()["paths"]["/api/kd/soften"]["post"]["summary"]
    expect(soften.locator(".opblock-summary-description")).to_have_text(summary)
    soften.locator(".opblock-summary").click()
    expect(soften.locator(".body-param__example, .microlight").first).to_contain_text("4.59511985013459")
    expect(soften.locator(".responses-wrapper")).to_contain_text("0.7999985485865343")
    origin = page.url.split("/docs")[0]
    assert requests and all(url.startswith(origin) for url in requests), requests
