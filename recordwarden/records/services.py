"""Writes to the agency's records. Every service takes ``actor`` and writes its audit
entry in the same transaction as the change."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from recordwarden.audit.services import audit_record
from recordwarden.core import crypto

from . import bulk, importers
from .constants import (
    CTX_SSN,
    STATE_SYNTHESIZED,
    WAGES_IMPORTED,
    WORKERS_IMPORTED,
    WorkerOrigin,
)
from .importers import RowError
from .models import Claim, Employer, HardCase, WageRecord, Worker
from .synthetic import SyntheticState, generate_state

# A wage report or worker file larger than this is refused unread.
IMPORT_MAX_BYTES = getattr(settings, "RECORDS_IMPORT_MAX_BYTES", 512 * 1024 * 1024)
LOOKUP_CHUNK = 500


class RecordsError(Exception):
    """A records operation refused, with a reason fit to show the operator."""


class ImportRejected(RecordsError):
    """A file refused as a whole; ``errors`` names each bad line (the first
    MAX_ERRORS_KEPT of ``error_count``). Nothing was written."""

    def __init__(self, filename: str, errors: list[RowError], error_count: int):
        self.filename = filename
        self.errors = errors
        self.error_count = error_count
        super().__init__(f"{filename}: {error_count} bad line(s); nothing was imported")


@dataclass(frozen=True)
class ImportResult:
    filename: str
    sha256: str
    format: str
    rows: int
    created: int
    updated: int
    unchanged: int
    workers_created: int = 0
    employers_created: int = 0


@dataclass(frozen=True)
class SynthesisResult:
    seed: int
    counts: dict[str, int]
    digest: str


def state_synthesize(
    *, actor, workers: int, seed: int, replace: bool = False
) -> SynthesisResult:
    """Generate the synthetic state for ``seed`` and load it.

    Generation is pure and runs before the transaction opens, so the database is
    locked only while rows are written. Refuses when records already exist unless
    ``replace`` is set, which deletes every worker, employer, wage record and claim
    first, in the same transaction."""
    if workers < 10:
        raise RecordsError("a synthetic state needs at least 10 workers")
    state = generate_state(workers, seed)
    return _state_load(actor=actor, state=state, replace=replace)


@transaction.atomic
def _state_load(*, actor, state: SyntheticState, replace: bool) -> SynthesisResult:
    existing = Worker.objects.count()
    if existing and not replace:
        raise RecordsError(
            f"the records already hold {existing} workers; "
            "pass replace to delete them and synthesize again"
        )
    if existing or Employer.objects.exists():
        _delete_all()
    counts = bulk.load_state(state)
    digest = state.digest()
    audit_record(
        actor=actor,
        action=STATE_SYNTHESIZED,
        target="records:state",
        data={"seed": state.seed, "replaced": existing, "digest": digest, **counts},
    )
    return SynthesisResult(seed=state.seed, counts=counts, digest=digest)


def _delete_all() -> None:
    # Raw deletes: the ORM's cascade collector would load a million rows first.
    # Rows of other apps that point at workers make this fail and roll back.
    for model in (HardCase, Claim, WageRecord, Worker, Employer):
        model.objects.all()._raw_delete(model.objects.db)


def _parse(path: Path, parse) -> importers.Parsed:
    try:
        importers.check_size(path, IMPORT_MAX_BYTES)
    except importers.FileTooLarge as exc:
        raise ImportRejected(path.name, [RowError(0, str(exc))], 1) from None
    with open(path, "rb") as fh:
        parsed = parse(fh)
    if parsed.error_count:
        raise ImportRejected(path.name, parsed.errors, parsed.error_count)
    return parsed


def _chunks(values: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _fetch(model, field: str, values, *fields) -> dict:
    """Existing rows of ``model`` keyed by ``field``, looked up in chunks."""
    found = {}
    for chunk in _chunks(sorted(set(values))):
        rows = model.objects.filter(**{f"{field}__in": chunk}).only(field, *fields)
        found.update({getattr(row, field): row for row in rows})
    return found


def _new_worker(*, ssn: str, ssn_hash: str, worker_id: str, **fields) -> Worker:
    worker = Worker(
        worker_id=worker_id,
        ssn_encrypted=crypto.encrypt(ssn, context=CTX_SSN),
        ssn_hash=ssn_hash,
        ssn_last4_hash=crypto.ssn_last4_hash(ssn[-4:]),
        **fields,
    )
    worker.full_clean(validate_unique=False, validate_constraints=False)
    return worker


WORKER_FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "dob",
    "street",
    "city",
    "state",
    "zip",
    "county",
)


def workers_import(*, actor, path: Path, encoding: str = "utf-8") -> ImportResult:
    """Import a worker file (CSV, columns ``importers.WORKER_COLUMNS``).

    All or nothing: any bad line, or a worker_id or SSN that conflicts with the
    records, rejects the file with every reason. Re-importing the same file changes
    nothing; a changed row updates that worker's name, birth date or address."""
    parsed = _parse(
        path,
        lambda fh: importers.parse_worker_csv(
            fh, encoding=encoding, today=timezone.localdate()
        ),
    )
    return _workers_write(actor=actor, path=path, parsed=parsed)


@transaction.atomic
def _workers_write(*, actor, path: Path, parsed: importers.Parsed) -> ImportResult:
    rows: list[importers.WorkerRow] = parsed.rows
    hashes = {row.line: crypto.ssn_hash(row.ssn) for row in rows}
    by_id = _fetch(
        Worker, "worker_id", [r.worker_id for r in rows], "ssn_hash", *WORKER_FIELDS
    )
    by_hash = _fetch(Worker, "ssn_hash", hashes.values(), "worker_id")
    errors = []
    for row in rows:
        known = by_id.get(row.worker_id)
        if known is not None and known.ssn_hash != hashes[row.line]:
            errors.append(
                RowError(
                    row.line,
                    f"worker_id {row.worker_id} is on file with a different SSN",
                )
            )
        other = by_hash.get(hashes[row.line])
        if other is not None and other.worker_id != row.worker_id:
            errors.append(
                RowError(
                    row.line,
                    f"this SSN is on file for another worker ({other.worker_id})",
                )
            )
    if errors:
        raise ImportRejected(path.name, errors, len(errors))
    new, changed = [], []
    for row in rows:
        values = {f: getattr(row, f) for f in WORKER_FIELDS}
        known = by_id.get(row.worker_id)
        if known is None:
            new.append(
                _new_worker(
                    ssn=row.ssn,
                    ssn_hash=hashes[row.line],
                    worker_id=row.worker_id,
                    origin=WorkerOrigin.IMPORT,
                    **values,
                )
            )
        elif any(getattr(known, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(known, f, v)
            known.full_clean(validate_unique=False, validate_constraints=False)
            changed.append(known)
    Worker.objects.bulk_create(new, batch_size=2000)
    Worker.objects.bulk_update(changed, list(WORKER_FIELDS), batch_size=2000)
    result = ImportResult(
        filename=path.name,
        sha256=parsed.sha256,
        format="csv",
        rows=len(rows),
        created=len(new),
        updated=len(changed),
        unchanged=len(rows) - len(new) - len(changed),
    )
    _audit_import(actor, WORKERS_IMPORTED, result)
    return result


def _audit_import(actor, action: str, result: ImportResult) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=f"file:{result.sha256}",
        data={k: v for k, v in result.__dict__.items()},
    )


def new_hire_worker_id(ssn_hash: str) -> str:
    """The id given to a worker first seen on a wage report: derived from the keyed
    SSN hash, so importing the same report twice gives the same id."""
    return "H" + ssn_hash[:12].upper()


def wages_import(
    *, actor, path: Path, encoding: str = "utf-8", fmt: str | None = None
) -> ImportResult:
    """Import a quarterly wage report: CSV (``importers.WAGE_COLUMNS``, wages in
    dollars) or ICESA fixed width (docs/icesa.md), detected from the first record
    unless ``fmt`` says. All or nothing; re-importing changes nothing; a corrected
    amount for the same worker, employer and quarter replaces the old one. A worker
    unknown to the records is created from the row, as for a new hire; an employer
    unknown by FEIN is created from the ICESA E record (or by FEIN alone from CSV)."""
    if fmt is None:
        with open(path, "rb") as fh:
            fmt = "icesa" if importers.looks_like_icesa(fh.read(600)) else "csv"
    if fmt not in {"csv", "icesa"}:
        raise RecordsError("format must be csv or icesa")
    parse = importers.parse_wage_icesa if fmt == "icesa" else importers.parse_wage_csv
    max_year = timezone.localdate().year + 1
    parsed = _parse(path, lambda fh: parse(fh, encoding=encoding, max_year=max_year))
    return _wages_write(actor=actor, path=path, parsed=parsed, fmt=fmt)


@transaction.atomic
def _wages_write(*, actor, path: Path, parsed, fmt: str) -> ImportResult:
    rows: list[importers.WageRow] = parsed.rows
    employers, employers_created = _employers_for(path, rows)
    workers, workers_created = _workers_for(rows)
    keys = {
        row.line: (
            workers[row.ssn],
            employers[row.employer.fein],
            row.year,
            row.quarter,
        )
        for row in rows
    }
    existing = {}
    for chunk in _chunks(sorted({k[0] for k in keys.values()})):
        for wage in WageRecord.objects.filter(worker_id__in=chunk):
            existing[(wage.worker_id, wage.employer_id, wage.year, wage.quarter)] = wage
    new, changed = [], []
    for row in rows:
        key = keys[row.line]
        wage = existing.get(key)
        if wage is None:
            new.append(
                WageRecord(
                    worker_id=key[0],
                    employer_id=key[1],
                    year=key[2],
                    quarter=key[3],
                    wages_cents=row.wages_cents,
                )
            )
        elif wage.wages_cents != row.wages_cents:
            wage.wages_cents = row.wages_cents
            changed.append(wage)
    WageRecord.objects.bulk_create(new, batch_size=5000)
    WageRecord.objects.bulk_update(changed, ["wages_cents"], batch_size=5000)
    result = ImportResult(
        filename=path.name,
        sha256=parsed.sha256,
        format=fmt,
        rows=len(rows),
        created=len(new),
        updated=len(changed),
        unchanged=len(rows) - len(new) - len(changed),
        workers_created=workers_created,
        employers_created=employers_created,
    )
    _audit_import(actor, WAGES_IMPORTED, result)
    return result


def _employers_for(path: Path, rows) -> tuple[dict[str, int], int]:
    infos: dict[str, tuple[int, importers.EmployerInfo]] = {}
    for row in rows:
        infos.setdefault(row.employer.fein, (row.line, row.employer))
    known = _fetch(Employer, "fein", list(infos))
    accounts = [i.account for _, i in infos.values() if i.account]
    by_account = _fetch(Employer, "state_account_number", accounts, "fein")
    errors, new = [], []
    for fein, (line, info) in sorted(infos.items()):
        if fein in known:
            continue
        holder = by_account.get(info.account) if info.account else None
        if holder is not None:
            errors.append(
                RowError(
                    line,
                    f"state account number {info.account} belongs to the employer "
                    f"with FEIN {holder.fein}",
                )
            )
            continue
        employer = Employer(
            fein=fein,
            state_account_number=info.account or None,
            legal_name=info.legal_name
            or f"Unregistered employer {fein[:2]}-{fein[2:]}",
            street=info.street,
            city=info.city,
            state=info.state,
            zip=info.zip,
        )
        employer.full_clean(validate_unique=False, validate_constraints=False)
        new.append(employer)
    if errors:
        raise ImportRejected(path.name, errors, len(errors))
    Employer.objects.bulk_create(new, batch_size=2000)
    ids = {e.fein: e.pk for e in _fetch(Employer, "fein", list(infos)).values()}
    return ids, len(new)


def _workers_for(rows) -> tuple[dict[str, int], int]:
    first_row: dict[str, importers.WageRow] = {}
    for row in rows:
        first_row.setdefault(row.ssn, row)
    hashes = {ssn: crypto.ssn_hash(ssn) for ssn in first_row}
    known = _fetch(Worker, "ssn_hash", hashes.values())
    new = [
        _new_worker(
            ssn=ssn,
            ssn_hash=hashes[ssn],
            worker_id=new_hire_worker_id(hashes[ssn]),
            first_name=row.first_name[:60],
            middle_name=row.middle_name[:60],
            last_name=row.last_name[:80],
            origin=WorkerOrigin.WAGE_REPORT,
        )
        for ssn, row in first_row.items()
        if hashes[ssn] not in known
    ]
    Worker.objects.bulk_create(new, batch_size=2000)
    by_hash = {
        w.ssn_hash: w.pk for w in _fetch(Worker, "ssn_hash", hashes.values()).values()
    }
    return {ssn: by_hash[h] for ssn, h in hashes.items()}, len(new)
