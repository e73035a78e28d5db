"""Checks on the policy files themselves: the Cedar validator and formatter."""

from __future__ import annotations

from pathlib import Path

import cedarpy

from . import engine


def file_problems(directory: str | Path | None = None) -> list[str]:
    """Each ``.cedar`` file must validate against the schema and be formatted exactly
    as the Cedar formatter (width ``engine.FORMAT_WIDTH``) would write it."""
    directory = Path(directory) if directory else engine.POLICY_DIR
    schema_path = directory / engine.SCHEMA_FILE
    try:
        schema = cedarpy.Schema.from_str(schema_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{schema_path.name}: {exc}"]
    problems = []
    for path in sorted(directory.glob("*.cedar")):
        text = path.read_text(encoding="utf-8")
        try:
            formatted = cedarpy.format_policies(text, engine.FORMAT_WIDTH, 2)
        except ValueError as exc:
            problems.append(f"{path.name}: does not parse: {exc}")
            continue
        if formatted != text:
            problems.append(
                f"{path.name}: not formatted (run the Cedar formatter, width "
                f"{engine.FORMAT_WIDTH})"
            )
        result = cedarpy.validate_policies(text, schema)
        for error in result.errors:
            problems.append(f"{path.name}: {error}")
    return problems
