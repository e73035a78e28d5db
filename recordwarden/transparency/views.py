"""The public transparency page and CSV (no log-in), the full report for staff (with
the counts only restricted audit entries give), the public signed quarterly reports,
and the approver's page for signing them off."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from recordwarden.accounts.constants import Role
from recordwarden.accounts.permissions import has_role, role_required
from recordwarden.core.exceptions import Conflict, Forbidden

from . import charts, selectors
from .constants import CHART_QUARTERS, FULL, PAGE_REFRESH_LIMIT, PUBLIC
from .quarterly import ATTESTATION, quarter_bounds, quarterly_rows
from .services import quarterly_report_sign, report_refresh, report_target_size
from .summary import Report, parse_quarter, quarter_label

VIEW_ROLES = (Role.APPROVER, Role.AUDITOR, Role.ADMINISTRATOR, Role.COUNSEL)


def _points_for_row(table, row) -> list[charts.Point]:
    return [
        charts.Point(label, cell.number, cell.shown)
        for (_code, label), cell in zip(table.columns, row.cells, strict=True)
    ]


def _breakdown_chart(report: Report, key: str, quarter: str) -> dict | None:
    table = report.table(key)
    row = table.row_for(quarter)
    if row is None or row.whole_row_withheld:
        return None
    points = _points_for_row(table, row)
    if key == "element_released":
        points = [p for p in points if p.shown != "0"]
        if not points:
            return None
    label = quarter_label(quarter)
    title = f"{table.title}, {label}"
    return {
        "id": f"chart-{key.replace('_', '-')}",
        "title": title,
        "svg": charts.horizontal_bars(
            f"chart-{key.replace('_', '-')}",
            title,
            f"{table.caption}, {label}.",
            points,
        ),
        "headers": ["Category", "Requests"],
        "rows": [(p.label, p.shown) for p in points],
    }


def _charts(report: Report) -> list[dict]:
    recent = report.totals[-CHART_QUARTERS:]
    if not recent:
        return []
    totals = [charts.Point(label, total, str(total)) for _q, label, total in recent]
    found = [
        {
            "id": "chart-requests",
            "title": "Requests received per quarter",
            "svg": charts.column_bars(
                "chart-requests",
                "Requests received per quarter",
                f"Requests received in each of the last {len(recent)} quarters.",
                [("Requests", charts.BAR, totals)],
            ),
            "headers": ["Quarter", "Requests"],
            "rows": [(p.label, p.shown) for p in totals],
        }
    ]
    timing = report.timing[-CHART_QUARTERS:]
    medians = [charts.Point(t.label, t.median.number, t.median.shown) for t in timing]
    p90s = [charts.Point(t.label, t.p90.number, t.p90.shown) for t in timing]
    found.append(
        {
            "id": "chart-days",
            "title": "Days from receipt to decision",
            "svg": charts.column_bars(
                "chart-days",
                "Days from receipt to decision",
                "Median and 90th percentile of the days from receipt to the first "
                "final decision, for the requests received in each quarter; not "
                "published for quarters with fewer than 5 decided requests.",
                [
                    ("Median", charts.BAR, medians),
                    ("90th percentile", charts.BAR_DARK, p90s),
                ],
                unit=" days",
            ),
            "headers": ["Quarter", "Median days", "90th percentile days"],
            "rows": [(t.label, t.median.shown, t.p90.shown) for t in timing],
        }
    )
    latest = report.latest_quarter
    for key in ("agency_type", "outcome", "element_released"):
        chart = _breakdown_chart(report, key, latest) if latest else None
        if chart is not None:
            found.append(chart)
    return found


def _report_page(request, scope: str):
    report_refresh(limit=PAGE_REFRESH_LIMIT)
    report = selectors.report_published(scope)
    context = {
        "report": report,
        "full": scope == FULL,
        "charts": _charts(report),
        "pending_entries": max(0, report_target_size() - report.log_size),
        "quarterly": selectors.quarterly_reports_signed(),
        "attestation": ATTESTATION,
        "first_label": report.totals[0][1] if report.totals else "",
        "last_label": report.totals[-1][1] if report.totals else "",
    }
    return render(request, "transparency/report.html", context)


def _report_csv(scope: str) -> HttpResponse:
    report_refresh(limit=PAGE_REFRESH_LIMIT)
    report = selectors.report_published(scope)
    response = HttpResponse(report.to_csv(), content_type="text/csv; charset=utf-8")
    name = "transparency-report" if scope == PUBLIC else "transparency-report-full"
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{report.log_size}.csv"'
    )
    return response


@require_GET
def report_page(request):
    return _report_page(request, PUBLIC)


@require_GET
def report_csv(request):
    return _report_csv(PUBLIC)


@require_GET
@role_required(*VIEW_ROLES)
def full_report_page(request):
    """Staff: the report with the counts only restricted entries give (notices to
    workers); the state auditor recomputes it from the full log."""
    return _report_page(request, FULL)


@require_GET
@role_required(*VIEW_ROLES)
def full_report_csv(request):
    return _report_csv(FULL)


def _quarter_or_404(quarter: str) -> str:
    try:
        parse_quarter(quarter)
    except ValueError:
        raise Http404 from None
    return quarter


@require_GET
def quarterly_pdf(request, quarter: str):
    """A signed quarterly report (its latest version), public: it holds no personal
    data, only the Department's own references and codes."""
    report = selectors.quarterly_report_latest(_quarter_or_404(quarter))
    if report is None:
        raise Http404
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="immigration-requests-{quarter}-v{report.version}.pdf"'
    )
    return response


@require_GET
@role_required(*VIEW_ROLES)
def quarterly_page(request, quarter: str | None = None):
    """Staff: the draft of a quarter's report (the last complete quarter by default),
    and the approver's sign-off."""
    report_refresh()
    if quarter is None:
        quarter = _last_complete_quarter()
    quarter = _quarter_or_404(quarter)
    rows, exceptions = quarterly_rows(quarter)
    _start, end = quarter_bounds(quarter)
    context = {
        "quarter": quarter,
        "label": quarter_label(quarter),
        "rows": rows,
        "exceptions": exceptions,
        "ended": timezone.now() >= end,
        "signed": selectors.quarterly_report_latest(quarter),
        "can_sign": has_role(request.user, Role.APPROVER),
        "attestation": ATTESTATION,
        "previous": _shift(quarter, -1),
        "next": _shift(quarter, 1),
    }
    return render(request, "transparency/quarterly.html", context)


@require_POST
@role_required(Role.APPROVER)
def quarterly_sign(request, quarter: str):
    quarter = _quarter_or_404(quarter)
    try:
        report = quarterly_report_sign(actor=request.user, quarter=quarter)
    except (Conflict, Forbidden) as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"The {quarter_label(quarter)} report is signed off (version {report.version}).",
        )
    return redirect("transparency:quarterly-quarter", quarter=quarter)


def _shift(quarter: str, step: int) -> str:
    year, q = parse_quarter(quarter)
    index = year * 4 + (q - 1) + step
    return f"{index // 4}-Q{index % 4 + 1}"


def _last_complete_quarter() -> str:
    local = timezone.localtime()
    return _shift(f"{local.year}-Q{(local.month - 1) // 3 + 1}", -1)
