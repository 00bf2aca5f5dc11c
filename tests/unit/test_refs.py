import pytest

from kiln.errors import InvalidReference
from kiln.refs import ImageRef, is_loopback, parse_image_ref, uses_plain_http


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:5000/app:v1", ImageRef("127.0.0.1:5000", "app", "v1")),
        ("localhost/team/app", ImageRef("localhost", "team/app")),
        ("ghcr.io/acme/web:sha-1", ImageRef("ghcr.io", "acme/web", "sha-1")),
        (
            "reg.example.com:443/a/b@sha256:" + "a" * 64,
            ImageRef("reg.example.com:443", "a/b", None, "sha256:" + "a" * 64),
        ),
    ],
)
def test_parses_valid_references(text: str, expected: ImageRef) -> None:
    assert parse_image_ref(text) == expected
    assert str(parse_image_ref(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "app:v1",  # no registry host: kiln never guesses docker.io
        "library/app",
        "127.0.0.1:5000/App",  # uppercase repository
        "127.0.0.1:5000/app:bad tag",
        "127.0.0.1:5000/app:-leading",
        "127.0.0.1:5000/app@sha256:short",
        " 127.0.0.1:5000/app",
        "127.0.0.1:5000/",
        "--upload-pack=x/app",
    ],
)
def test_rejects_invalid_references(text: str) -> None:
    with pytest.raises(InvalidReference, match="invalid image reference"):
        parse_image_ref(text)


def test_loopback_registries_use_plain_http() -> None:
    assert (
        is_loopback("127.0.0.1:5000") and is_loopback("localhost:80") and is_loopback("[::1]:5000")
    )
    assert not is_loopback("ghcr.io")
    assert uses_plain_http("127.0.0.1:5000", [])
    assert not uses_plain_http("registry.internal:5000", [])
    assert uses_plain_http("registry.internal:5000", ["registry.internal:5000"])
    assert uses_plain_http("registry.internal:5000", ["registry.internal"])
