"""The policy files' own checks: validator, formatter, and every scenario row."""

from __future__ import annotations

import pytest
import yaml

from recordwarden.policy import checks, engine, scenarios

ROWS = scenarios.load_rows()


def test_the_policy_files_validate_and_are_formatted():
    assert checks.file_problems() == []


def test_an_unformatted_file_is_reported(tmp_path):
    text, schema = engine.read_policy_files()
    (tmp_path / "schema.cedarschema").write_text(schema)
    (tmp_path / "rules.cedar").write_text(
        text.replace("forbid (\n  principal,", "forbid (principal,", 1)
    )
    problems = checks.file_problems(tmp_path)
    assert problems == [
        f"rules.cedar: not formatted (run the Cedar formatter, width {engine.FORMAT_WIDTH})"
    ]


@pytest.mark.parametrize("row", ROWS, ids=[row.source for row in ROWS])
def test_scenario(row):
    result = scenarios.run_row(row, engine.load_policy())
    assert result.passed, f"{row.case}\n" + "\n".join(result.problems)


def test_every_rule_has_a_row_that_fires_it_and_a_row_where_it_must_not():
    assert scenarios.coverage_gaps(ROWS, engine.load_policy()) == []


def test_a_row_with_the_wrong_expectation_fails(tmp_path):
    (tmp_path / "wrong.yaml").write_text(
        yaml.safe_dump(
            {
                "cases": [
                    {
                        "case": "A police department without any instrument gets wages.",
                        "facts": {
                            "agency_type": "local_police",
                            "agency_verified": True,
                            "subjects_named": 1,
                            "subject_identified": True,
                        },
                        "elements": ["wages"],
                        "outcome": "permit",
                        "fires": ["permit.criminal-investigation"],
                        "not_fires": ["guard.subject-not-identified"],
                    }
                ]
            }
        )
    )
    [result] = scenarios.run_all(engine.load_policy(), tmp_path)[0]
    assert not result.passed
    assert any("expected permit, got deny" in p for p in result.problems)
    assert "permit.criminal-investigation should fire and does not" in result.problems


def test_a_row_naming_an_unknown_fact_is_refused(tmp_path):
    (tmp_path / "bad.yaml").write_text(
        "cases:\n  - case: x\n    facts: {warrant: true}\n    elements: [wages]\n"
    )
    with pytest.raises(ValueError, match="unknown fact fields: warrant"):
        scenarios.load_rows(tmp_path)
