from tests.browser.conftest import login


def test_login_page_fits_a_320px_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True, base_url=live_server.url)
    page = context.new_page()
    page.goto("/login")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def test_wrong_password_shows_one_generic_message(phone, live_server):
    login(phone, live_server.officer, "not-the-password")
    assert phone.get_by_role("alert").is_visible()
    assert "do not match" in phone.get_by_role("alert").inner_text()


def test_csp_blocks_nothing_the_app_needs(phone, live_server):
    violations: list[str] = []
    phone.on("console", lambda message: violations.append(message.text) if "Content Security Policy"
             in message.text else None)
    login(phone, live_server.officer)
    phone.goto("/record")
    assert violations == []
