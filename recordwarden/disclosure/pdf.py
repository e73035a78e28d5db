"""PDFs for people: the package, the accounting letter and the notice (WeasyPrint).

Templates live under ``templates/letters/disclosure/``; every page carries a running
marking and a fixed-position watermark with the request reference and the recipient.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from recordwarden.records.catalogue import ELEMENTS

PACKAGE_TEMPLATE = "letters/disclosure/package.html"
ACCOUNTING_TEMPLATE = "letters/disclosure/accounting_letter.html"
NOTICE_TEMPLATE = "letters/disclosure/notice.html"


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    # base_url is the project root so nothing is fetched from the network.
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _headers(rows: list[dict]) -> list[str]:
    headers: list[str] = []
    for row in rows:
        for key in row:
            if key not in headers:
                headers.append(key)
    return headers


def _section(key: str, value: Any) -> dict[str, Any]:
    label = ELEMENTS[key].label
    if isinstance(value, dict):
        return {"label": label, "kind": "fields", "value": list(value.items())}
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            headers = _headers(value)
            rows = [[row.get(h) for h in headers] for row in value]
            return {"label": label, "kind": "rows", "headers": headers, "rows": rows}
        return {
            "label": label,
            "kind": "rows",
            "headers": [label],
            "rows": [[v] for v in value],
        }
    return {"label": label, "kind": "scalar", "value": value}


def package_pdf(document: dict[str, Any], *, json_sha256: str, built_on) -> bytes:
    subjects = [
        {
            "position": s["position"],
            "sections": [_section(k, v) for k, v in s["data"].items()],
        }
        for s in document["subjects"]
    ]
    doc = {**document, "subjects": subjects}
    return render_pdf(
        PACKAGE_TEMPLATE, {"doc": doc, "json_sha256": json_sha256, "built_on": built_on}
    )


def address_lines(worker) -> str:
    city_line = " ".join(p for p in [f"{worker.city},", worker.state, worker.zip] if p)
    return "\n".join(p for p in [worker.street, city_line.strip(" ,")] if p)
