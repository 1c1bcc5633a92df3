"""Bad input fails early, with a message naming the field (or environment) and the value."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys

import pytest

from stacks import config
from stacks.config import ENVIRONMENTS, ConfigError
from tests.support.synth import ROOT


def variant(**changes) -> config.EnvironmentConfig:
    return dataclasses.replace(ENVIRONMENTS["dev"], **changes)


def test_unknown_environment_names_the_valid_ones():
    with pytest.raises(ConfigError, match=r"unknown environment 'qa'; choose one of dev, staging, prod"):
        config.select("qa")


def test_no_environment_selects_all_three_in_order():
    assert [environment.name for environment in config.select(None)] == ["dev", "staging", "prod"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"min_tasks": 5, "max_tasks": 2}, r"max_tasks=2 is invalid; expected at least min_tasks \(5\)"),
        ({"db_min_acu": 8, "db_max_acu": 4}, r"db_max_acu=4 is invalid; expected at least db_min_acu \(8\)"),
        ({"domain_name": "not a domain"}, r"domain_name='not a domain' is invalid"),
        ({"domain_name": "Example.COM"}, r"domain_name='Example.COM' is invalid"),
        ({"task_cpu": 256, "task_memory_mib": 4096}, r"task_memory_mib=4096 is invalid"),
        ({"log_retention_days": 8}, r"log_retention_days=8 is invalid"),
        ({"db_min_acu": 0.3}, r"db_min_acu=0.3 is invalid"),
        ({"nat": "none"}, r"nat='none' is invalid; expected instance or gateway"),
        ({"removal_policy": "keep"}, r"removal_policy='keep' is invalid; expected destroy, snapshot, retain"),
        ({"account": "12345"}, r"account='12345' is invalid"),
    ],
)
def test_invalid_settings_name_the_field_and_value(changes, message):
    with pytest.raises(ConfigError, match=message):
        variant(**changes)


@pytest.mark.parametrize("tag", ["latest", "has space", "x" * 129, "-leading-dash"])
def test_bad_image_tags_are_refused(tag):
    with pytest.raises(ConfigError, match="image_tag="):
        config.image_tag(tag)


def test_every_allowed_log_retention_has_a_cdk_value():
    """config.py (CDK-free) lists the choices; naming.py maps each to CDK's enum."""
    from stacks.naming import _RETENTION

    assert sorted(_RETENTION) == list(config.LOG_RETENTION_DAYS)


def test_missing_image_tag_gives_the_named_placeholder():
    assert config.image_tag(None) == config.PLACEHOLDER_IMAGE_TAG
    assert config.image_tag("3f2a9c1") == "3f2a9c1"


def test_account_and_region_come_from_the_cdk_environment(monkeypatch):
    monkeypatch.setenv("CDK_DEFAULT_ACCOUNT", "210987654321")
    monkeypatch.setenv("CDK_DEFAULT_REGION", "us-east-2")
    settings = {
        f.name: getattr(ENVIRONMENTS["dev"], f.name) for f in dataclasses.fields(config.EnvironmentConfig)
    }
    del settings["account"], settings["region"]
    environment = config.EnvironmentConfig(**settings)
    assert (environment.account, environment.region) == ("210987654321", "us-east-2")
    assert environment.availability_zones == ["us-east-2a", "us-east-2b"]


def test_app_refuses_an_unknown_environment_before_building_anything(tmp_path):
    """app.py as the CDK CLI runs it: context arrives in CDK_CONTEXT_JSON."""
    env = {**os.environ, "CDK_CONTEXT_JSON": json.dumps({"env": "qa"}), "CDK_OUTDIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "unknown environment 'qa'; choose one of dev, staging, prod" in result.stderr
    assert not any(tmp_path.iterdir()), "nothing may be synthesized for a bad environment"
