"""The web app's files as a phone downloads them: compressed when the browser accepts it
(backend.static_files), and within a budget counted in the bytes that cross the network."""

from pathlib import Path

from fastapi.testclient import TestClient

from tests.conftest import Api

FRONTEND = Path(__file__).resolve().parent.parent / "frontend"
# Every script and style of the app, compressed as served: what a phone fetches on a first
# visit (the service worker keeps them after): about 61 KB on 2026-12-08, 156 KB uncompressed.
BUDGET = 70_000
GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_scripts_and_styles_go_out_compressed_to_whoever_accepts_it(
    test_client: TestClient,
) -> None:
    source = (FRONTEND / "app.js").read_bytes()
    packed = test_client.get("/static/app.js", headers=GZIP)
    assert packed.status_code == 200
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert packed.content == source  # the client undid the compression
    assert packed.num_bytes_downloaded < len(source) / 2
    # A compressed body is another representation: its validator is a weak one.
    assert packed.headers["etag"].startswith('W/"')

    plain = test_client.get("/static/app.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == source
    assert not plain.headers["etag"].startswith("W/")

    for etag, headers in ((packed.headers["etag"], GZIP), (plain.headers["etag"], {})):
        again = test_client.get("/static/app.js", headers={**headers, "If-None-Match": etag})
        assert again.status_code == 304


def test_the_api_is_never_compressed(api: Api) -> None:
    """A response that holds a secret beside what the request reflects, compressed, leaks the
    secret to whoever can watch its length (BREACH)."""
    for _ in range(30):
        api.post("/api/v1/contacts", json={"full_name": "Ada Lovelace " * 10})
    listed = api.get("/api/v1/contacts", params={"limit": 30}, headers=GZIP)
    assert listed.status_code == 200
    assert len(listed.content) > 2_000
    assert "content-encoding" not in listed.headers


def test_the_whole_app_downloads_within_its_budget(test_client: TestClient) -> None:
    files = sorted(p for p in FRONTEND.rglob("*") if p.suffix in (".js", ".css"))
    sent = 0
    for path in files:
        answer = test_client.get(f"/static/{path.relative_to(FRONTEND).as_posix()}", headers=GZIP)
        assert answer.status_code == 200, path
        sent += answer.num_bytes_downloaded
    raw = sum(p.stat().st_size for p in files)
    assert 0 < sent < BUDGET, f"{sent} bytes sent for {raw} bytes of JS+CSS, budget {BUDGET}"
    assert sent < raw / 2  # what crossed the network is the compressed files
