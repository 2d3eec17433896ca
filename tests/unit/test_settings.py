"""Settings: defaults, file, environment; errors name the file and the setting."""

from __future__ import annotations

import pytest

from monitor.errors import ConfigError
from monitor.settings import Settings, load_settings


def _file(tmp_path, text: str):
    path = tmp_path / "diembao.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_settings(env={}) == Settings()


def test_file_then_environment(tmp_path):
    path = _file(tmp_path, "province: ha-noi\nfetch:\n  min_interval: 5\n  respect_robots: no\n")
    settings = load_settings(path, env={"DIEMBAO_PROVINCE": "bac-giang", "DIEMBAO_DB": "x.db"})
    assert settings.province == "bac-giang" and settings.database_url == "x.db"
    assert settings.fetch.min_interval == 5.0 and settings.fetch.respect_robots is False


@pytest.mark.parametrize(("text", "path", "found"), [
    ("fetch:\n  retrys: 3\n", "fetch.retrys", "retrys"),
    ("fetch:\n  retries: many\n", "fetch.retries", "many"),
    ("fetch:\n  min_interval: -1\n", "fetch.min_interval", "-1"),
    ("fetch: 3\n", "fetch", "int"),
    ("timezone: Mars/Base\n", "timezone", "Mars/Base"),
    ("scheduler:\n  digest_time: '25:00'\n", "scheduler.digest_time", "25:00"),
    ("scheduler:\n  digest_time: 7h\n", "scheduler.digest_time", "7h"),
])
def test_bad_values_name_file_and_setting(tmp_path, text, path, found):
    file = _file(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(file, env={})
    assert caught.value.file == str(file) and caught.value.path == path
    assert found in str(caught.value)


def test_yaml_forms_people_write(tmp_path):
    path = _file(tmp_path, "scheduler:\n  digest_time: 10:30\nmail:\n  host: ''\n"
                           "flags:\n  low_tiers: [other, sector]\n")
    settings = load_settings(path, env={})
    assert settings.scheduler.digest_time == "10:30"  # YAML 1.1 read it as 630
    assert settings.mail.host == "" and not settings.mail.enabled
    assert settings.flags.tiers("low_tiers") == ("other", "sector")


def test_an_empty_required_string_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="timezone"):
        load_settings(_file(tmp_path, "timezone: ''\n"), env={})


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_settings(tmp_path / "nope.yaml", env={})
