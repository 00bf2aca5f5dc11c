from pathlib import Path

import pytest

from kiln.errors import KilnError
from kiln.secrets.crypto import SecretBox, load_or_create_key
from kiln.secrets.redact import Redactor


def test_round_trip_and_ciphertext_hides_the_secret() -> None:
    box = SecretBox("passphrase")
    token = box.encrypt("ghp_secret_value")
    assert "ghp_secret_value" not in token
    assert box.decrypt(token) == "ghp_secret_value"


def test_a_different_key_cannot_decrypt() -> None:
    token = SecretBox("one").encrypt("value")
    with pytest.raises(KilnError, match="KILN_SECRET_KEY changed"):
        SecretBox("two").decrypt(token)


def test_generated_key_is_kept_private(tmp_path: Path) -> None:
    key_file = tmp_path / "secret.key"
    key = load_or_create_key("", key_file)
    assert load_or_create_key("", key_file) == key and len(key) > 40
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert load_or_create_key("configured", key_file) == "configured"


def test_redaction_masks_every_known_secret() -> None:
    redactor = Redactor(["tok-123456", "pw-abcdef"])
    assert redactor.line("auth tok-123456 and pw-abcdef") == "auth *** and ***"


def test_a_secret_split_across_two_lines_is_masked_on_both() -> None:
    redactor = Redactor(["tok-123456"])
    assert redactor.feed("header tok-12") == []  # could be the first half: held back
    assert redactor.feed("3456 rest") == ["header ***", "*** rest"]
    assert redactor.drain() == []


def test_lines_that_cannot_start_a_secret_pass_straight_through() -> None:
    redactor = Redactor(["tok-123456"])
    assert redactor.feed("plain line") == ["plain line"]
    assert redactor.feed("ends with tok") == []
    assert redactor.feed("not the rest") == ["ends with tok", "not the rest"]
    assert redactor.feed("last tok-1") == []
    assert redactor.drain() == ["last tok-1"]


def test_short_values_are_not_treated_as_secrets() -> None:
    assert Redactor(["ab"]).line("abc") == "abc"
