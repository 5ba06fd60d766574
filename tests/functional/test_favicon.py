"""The site icon: linked from every page and answered at /favicon.ico, without logging in."""


def test_favicon_ico_redirects_to_the_svg_icon_without_login(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.headers["Location"].endswith("/static/favicon.svg")
    with client.get("/static/favicon.svg") as icon:  # a file response must be closed
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data


def test_pages_link_the_icon(client):
    page = client.get("/auth/login").text
    assert '<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">' in page
