"""The agency registry loads from YAML: idempotent, all or nothing, errors by key."""

import datetime as dt
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from conftest import EXAMPLES
from recordwarden.accounts.models import Agency, AgencyDomain, Agreement
from recordwarden.audit.models import AuditEntry


def _load(tmp_path: Path, text: str):
    path = tmp_path / "agencies.yaml"
    path.write_text(text)
    call_command("load_agencies", str(path))


def test_it_loads_the_example_registry(db):
    call_command("load_agencies", str(EXAMPLES / "agencies.yaml"))
    csed = Agency.objects.get(key="nm-csed")
    assert csed.type == "child_support"
    assert csed.domain_list == ["csed.example.nm.gov"]
    agreement = Agreement.objects.get(agency=csed)
    assert agreement.elements == [
        "name",
        "address",
        "employer",
        "wages",
        "benefit_amounts",
        "ssn",
    ]
    assert agreement.in_force_on(dt.date(2026, 8, 1))
    assert not agreement.in_force_on(dt.date(2027, 7, 1))
    entry = AuditEntry.objects.get(action="accounts.agency_registry_loaded")
    assert len(entry.data["created"]) == 6


def test_loading_twice_changes_nothing(db):
    call_command("load_agencies", str(EXAMPLES / "agencies.yaml"))
    before = list(Agency.objects.values_list("key", "name", "updated_at"))
    call_command("load_agencies", str(EXAMPLES / "agencies.yaml"))
    assert (
        list(Agency.objects.values_list("key", "name", "updated_at"))[0][:2]
        == before[0][:2]
    )
    last = AuditEntry.objects.filter(action="accounts.agency_registry_loaded").last()
    assert last.data == {"created": [], "updated": [], "unchanged": 6}


def test_an_update_changes_domains_and_is_reported(db, tmp_path):
    entries = yaml.safe_load((EXAMPLES / "agencies.yaml").read_text())
    call_command("load_agencies", str(EXAMPLES / "agencies.yaml"))
    entries[0]["domains"] = ["ice.example.gov", "ice-field.example.gov"]
    _load(tmp_path, yaml.safe_dump(entries))
    assert set(Agency.objects.get(key="ice-elpaso").domain_list) == {
        "ice.example.gov",
        "ice-field.example.gov",
    }
    last = AuditEntry.objects.filter(action="accounts.agency_registry_loaded").last()
    assert last.data["updated"] == ["ice-elpaso"]


BAD = """
- key: good-one
  name: Good Agency
  type: local_police
  domains: [good.example.gov]
- key: bad-type
  name: Bad Type
  type: space_police
- key: bad-agreement
  name: Bad Agreement
  type: child_support
  agreements:
    - reference: X-1
      elements: [name, shoe_size]
      valid_from: 2024-01-01
      valid_to: 2023-01-01
- key: dup-domain
  name: Duplicate
  type: court
  domains: [good.example.gov]
- just a string
"""


def test_bad_entries_are_reported_by_key_and_nothing_is_loaded(db, tmp_path):
    with pytest.raises(CommandError) as err:
        _load(tmp_path, BAD)
    message = str(err.value)
    assert "bad-type: type must be one of" in message
    assert "shoe_size" in message and "valid_to is before valid_from" in message
    assert "dup-domain: domain good.example.gov is also claimed by good-one" in message
    assert "entry 5: is not a mapping" in message
    assert "good-one:" not in message
    assert Agency.objects.count() == 0
    assert AgencyDomain.objects.count() == 0


@pytest.mark.parametrize(
    "text,reason",
    [
        ("key: [unclosed", "not valid YAML"),
        ("just: a mapping", "must be a list"),
        ("\x00\x01binary", "not valid YAML"),
    ],
)
def test_malformed_files_get_a_clear_answer(db, tmp_path, text, reason):
    with pytest.raises(CommandError, match=reason):
        _load(tmp_path, text)
    assert Agency.objects.count() == 0


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("load_agencies", str(tmp_path / "nope.yaml"))
