"""The built report in a real browser: headless Chromium (Debian's `chromium` + `chromium-driver`) driven by
selenium. Skipped, with the reason, where either is missing.

Checks: the briefing and every notebook and article page load with no JavaScript console error; Arabic cells
are laid out right-to-left; the table search filters rows; a claim link of notebook 03 opens the article
page scrolled to its highlighted quote; an article holding `<script>` shows it as text. Screenshots of the
briefing and of one article page (1400 px wide) are saved in the test's temporary folder; their paths are
printed.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from conftest import HOSTILE_HEADLINE, HOSTILE_ID, HOSTILE_TEXT  # noqa: F401 (the shared seed report holds it)
from kzlib.evidence import page_name

pytestmark = pytest.mark.e2e

WIDTH = 1400


def _browser_paths() -> tuple[str | None, str | None]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver = shutil.which("chromedriver") or (Path("/usr/lib/chromium/chromedriver").is_file() and "/usr/lib/chromium/chromedriver") or None
    return chromium, driver


def open_browser():
    """A headless Chromium at 1400 px that records the console; pytest.skip with the reason when absent."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as exc:
        pytest.skip(f"selenium is not installed ({exc}); `pip install -e .[dev]` installs it")
    chromium, driver_path = _browser_paths()
    if not chromium or not driver_path:
        pytest.skip("no Chromium / chromedriver on PATH (Debian: apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={WIDTH},1000", "--allow-file-access-from-files", "--lang=en"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        return webdriver.Chrome(service=Service(driver_path), options=options)
    except Exception as exc:  # a broken install: say what failed
        pytest.skip(f"Chromium did not start ({type(exc).__name__}: {str(exc).splitlines()[0]})")


def console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def wait_for(driver, script: str, timeout: float = 20.0):
    """Poll `script` (JavaScript returning a value) until it is truthy; return it."""
    deadline = time.monotonic() + timeout
    while True:
        value = driver.execute_script(script)
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def load(driver, path: Path) -> list[str]:
    """Open `path`; wait for its interactive tables when it has any; return its console errors."""
    driver.get(path.as_uri())
    wait_for(driver, "return document.readyState === 'complete'")
    expected = driver.execute_script("return document.querySelectorAll('table[id^=\"itables_\"]').length")
    if expected:
        ready = wait_for(driver, f"return document.querySelectorAll('table.dataTable').length >= {expected}")
        assert ready, f"{path.name}: {expected} interactive tables expected, DataTables never initialised them"
    return console_errors(driver)


def screenshot(driver, path: Path, max_height: int = 6000) -> Path:
    height = min(max_height, int(driver.execute_script("return document.documentElement.scrollHeight")))
    driver.set_window_size(WIDTH, max(800, height))
    driver.save_screenshot(str(path))
    driver.set_window_size(WIDTH, 1000)
    return path


@pytest.fixture(scope="module")
def browser():
    driver = open_browser()
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def built(seed_report_run):
    """The shared seed report (conftest.seed_report_run: the seeds plus one article holding <script>)."""
    assert seed_report_run.code == 0
    return seed_report_run.out


def test_every_page_loads_without_a_console_error(built, browser):
    pages = [built / "index.html", *sorted((built / "html").glob("*.html")), *sorted((built / "articles").glob("*.html"))]
    assert len(pages) >= 1 + 6 + 6
    errors = {page.relative_to(built).as_posix(): load(browser, page) for page in pages}
    assert {name: found for name, found in errors.items() if found} == {}


def test_arabic_cells_are_right_to_left(built, browser):
    load(browser, built / "html" / "03_casualties.html")
    directions = browser.execute_script(
        "return Array.from(document.querySelectorAll('table.dataTable td.kz-rtl'))"
        ".map(td => [getComputedStyle(td).direction, td.textContent])")
    arabic = [d for d, text in directions if any("\u0600" <= ch <= "\u06ff" for ch in text)]
    assert arabic and set(arabic) == {"rtl"}
    ids = browser.execute_script(
        "return Array.from(document.querySelectorAll('table.dataTable td a.kz-claim'))"
        ".map(a => getComputedStyle(a.closest('td')).direction)")
    assert ids and set(ids) == {"ltr"}, "claim ids and numbers stay left-to-right"
    load(browser, built / "articles" / page_name(HOSTILE_ID))
    assert browser.execute_script("return getComputedStyle(document.querySelector('.kz-text')).direction") == "rtl"


def test_the_table_search_filters_rows(built, browser):
    from selenium.webdriver.common.by import By

    load(browser, built / "html" / "02_claims.html")
    containers = browser.find_elements(By.CSS_SELECTOR, "div.dt-container")
    # the claims ledger: the table with a claim_id column (the schema table lists the fields, one row each)
    ledger = next(c for c in containers if "claim_id" in c.find_element(By.CSS_SELECTOR, "thead").text.split())
    before = _total_rows(ledger.find_element(By.CSS_SELECTOR, ".dt-info").text)
    assert before >= 20
    search = ledger.find_element(By.CSS_SELECTOR, "input[type=search]")
    search.send_keys(HOSTILE_ID)
    deadline = time.monotonic() + 10
    while "filtered" not in ledger.find_element(By.CSS_SELECTOR, ".dt-info").text and time.monotonic() < deadline:
        time.sleep(0.1)
    info = ledger.find_element(By.CSS_SELECTOR, ".dt-info").text
    rows = ledger.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert 0 < len(rows) < before, info
    assert all(HOSTILE_ID in row.text for row in rows), [row.text for row in rows]
    assert "filtered" in info, info


def _total_rows(info: str) -> int:
    """DataTables' info line: "Showing 1 to 10 of 23 entries" → 23."""
    words = info.replace(",", "").split()
    numbers = [int(w) for w in words if w.isdigit()]
    return numbers[2] if len(numbers) >= 3 else (numbers[-1] if numbers else 0)


def test_a_claim_link_of_notebook_03_opens_the_quote_highlighted(built, browser, tmp_path_factory, capsys):
    from selenium.webdriver.common.by import By

    load(browser, built / "html" / "03_casualties.html")
    link = browser.find_element(By.CSS_SELECTOR, "table.dataTable td a.kz-claim")
    claim_id = link.text
    href = link.get_attribute("href")
    link.click()
    wait_for(browser, "return document.readyState === 'complete' && location.hash.length > 1")
    article_id, offsets = claim_id.rsplit(":", 1)
    start, end = offsets.split("-")
    assert browser.current_url.split("#")[0].endswith(f"/articles/{page_name(article_id)}"), href
    assert browser.current_url.endswith(f"#claim-{start}-{end}")
    state = browser.execute_script(
        "const m = document.getElementById(location.hash.slice(1)); const r = m.getBoundingClientRect();"
        "return {tag: m.tagName, cls: m.className, top: r.top, bottom: r.bottom, height: innerHeight,"
        " outline: getComputedStyle(m).outlineStyle, background: getComputedStyle(m).backgroundColor,"
        " title: m.title, text: m.textContent, scrolled: scrollY}")
    assert state["tag"] == "MARK" and "kz-quote" in state["cls"]
    assert 0 <= state["top"] and state["bottom"] <= state["height"], state    # in view
    assert state["outline"] == "solid", "the targeted quote is outlined"
    assert state["background"] not in ("rgba(0, 0, 0, 0)", "transparent")
    assert "category:" in state["title"] and "source:" in state["title"] and "figure:" in state["title"]
    assert any("\u0600" <= ch <= "\u06ff" for ch in state["text"])
    shot = tmp_path_factory.mktemp("screenshots") / "claim_link_target.png"
    browser.save_screenshot(str(shot))   # the viewport as the link left it: the quote outlined, in view
    with capsys.disabled():
        print(f"\nclaim {claim_id} of notebook 03 opened scrolled to its quote: {shot}")


def test_script_in_an_article_is_shown_as_text(built, browser):
    from selenium.webdriver.common.by import By

    for page in (built / "articles" / page_name(HOSTILE_ID), built / "html" / "01_corpus_overview.html",
                 built / "html" / "02_claims.html", built / "index.html"):
        load(browser, page)
        assert browser.execute_script("return window.kzInjected === undefined"), f"{page.name}: article text ran as code"
    load(browser, built / "articles" / page_name(HOSTILE_ID))
    assert browser.find_element(By.CSS_SELECTOR, "h1").text == HOSTILE_HEADLINE
    assert "<b>outlet</b>" in browser.find_element(By.CSS_SELECTOR, ".kz-meta").text
    text = browser.find_element(By.CSS_SELECTOR, ".kz-text").text
    assert '<svg onload="window.kzInjected = 2">' in text and '<details open ontoggle="window.kzInjected = 3">' in text
    assert not browser.find_elements(By.CSS_SELECTOR, ".kz-text svg, .kz-text details, h1 script")


def test_screenshots_of_the_briefing_and_an_article(built, browser, tmp_path_factory, capsys):
    folder = tmp_path_factory.mktemp("screenshots")
    load(browser, built / "index.html")
    assert browser.execute_script("return document.querySelectorAll('section.category a.kz-fig').length") > 0
    index_png = screenshot(browser, folder / "index.png")
    seeds = sorted(p for p in (built / "articles").glob("*.html") if not p.name.startswith(HOSTILE_ID))
    marks = {p: p.read_text(encoding="utf-8").count('class="kz-quote') for p in seeds}
    richest = max(marks, key=marks.get)
    load(browser, richest)
    article_png = screenshot(browser, folder / f"article_{richest.stem}.png")
    for png in (index_png, article_png):
        assert png.stat().st_size > 20_000
    with capsys.disabled():
        print(f"\nscreenshots ({WIDTH} px wide): {index_png}\n  {article_png}")
