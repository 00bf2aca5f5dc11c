import pytest

from kiln.baseimages.bootstrap import parse_target
from kiln.baseimages.recipes import RECIPES
from kiln.baseimages.rootfs import apt_sources, upstream_version
from kiln.errors import InvalidReference, UserError


def test_recipe_keys_are_stable_and_distinct() -> None:
    sources = apt_sources("http://m/debian", "http://m/security", "bookworm")
    keys = [recipe.key(sources) for recipe in RECIPES]
    assert keys == [recipe.key(list(sources)) for recipe in RECIPES]
    assert len(set(keys)) == len(RECIPES)
    other = apt_sources("http://mirror2/debian", "http://m/security", "bookworm")
    assert RECIPES[0].key(other) != keys[0]


def test_the_catalog_covers_what_the_foundation_promises() -> None:
    lines = {(r.language, r.version, r.role) for r in RECIPES}
    for expected in [
        ("runtime", "bookworm", "runtime"),
        ("static", "bookworm", "runtime"),
        ("node", "18", "runtime"),
        ("node", "20", "build"),
        ("python", "3.11", "runtime"),
        ("python", "3.13", "build"),
        ("go", "1.24", "build"),
    ]:
        assert expected in lines


@pytest.mark.parametrize(
    ("debian", "upstream"),
    [("20.19.2+dfsg-1", "20.19.2"), ("2:1.24.4-1", "1.24.4"), ("3.11.2-1+b1", "3.11.2")],
)
def test_upstream_version(debian: str, upstream: str) -> None:
    assert upstream_version(debian) == upstream


def test_parse_target() -> None:
    target = parse_target("127.0.0.1:5000/kiln/bases")
    assert (target.registry, target.prefix) == ("127.0.0.1:5000", "kiln/bases")
    with pytest.raises(UserError, match="expected HOST"):
        parse_target("127.0.0.1:5000")
    with pytest.raises(InvalidReference):
        parse_target("127.0.0.1:5000/Bad Prefix")
