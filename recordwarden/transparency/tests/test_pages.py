"""The public page before anything is signed, and the CSV download."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_before_any_checkpoint_the_page_says_what_it_waits_for(client):
    page = client.get("/transparency/")
    assert page.status_code == 200
    assert b"none has been signed yet" in page.content
    assert b'<strong id="grand-total">0</strong>' in page.content
    assert "script-src 'self'" in page["Content-Security-Policy"]
    download = client.get("/transparency/report.csv")
    assert download.status_code == 200
    assert download.content.decode().splitlines()[:2] == [
        "quarter,measure,category,value,status",
        "all,audit_log_entries,,0,exact",
    ]
    assert "attachment" in download["Content-Disposition"]


def test_the_page_has_no_inline_script_or_style(client):
    html = client.get("/transparency/").content.decode()
    assert "<style" not in html and " style=" not in html
    assert "<script>" not in html and "onclick" not in html
