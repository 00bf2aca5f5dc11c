"""Debian packages for Python dependencies with native parts (libpq, MySQL client, image libs).

Build-stage packages compile a source distribution when no wheel fits; runtime packages are the
shared libraries the installed package loads. Names exist in both bookworm and trixie.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiln.detect.providers.python.manifests import Dependencies


@dataclass(frozen=True)
class NativeNeeds:
    build: tuple[str, ...]
    runtime: tuple[str, ...]
    why: str


KNOWN: dict[str, NativeNeeds] = {
    "psycopg2": NativeNeeds(("gcc", "libpq-dev"), ("libpq5",), "psycopg2 builds against libpq"),
    "psycopg": NativeNeeds((), ("libpq5",), "psycopg (without [binary]) loads libpq at runtime"),
    "mysqlclient": NativeNeeds(
        ("gcc", "pkg-config", "default-libmysqlclient-dev"),
        ("libmariadb3",),
        "mysqlclient builds against the MySQL/MariaDB client library",
    ),
    "pillow": NativeNeeds(
        ("libjpeg-dev", "zlib1g-dev"), ("libjpeg62-turbo",), "Pillow needs libjpeg and zlib"
    ),
    "weasyprint": NativeNeeds(
        (), ("libpango-1.0-0", "libpangoft2-1.0-0"), "WeasyPrint loads Pango at runtime"
    ),
    "python-ldap": NativeNeeds(
        ("gcc", "libldap2-dev", "libsasl2-dev"), (), "python-ldap builds against OpenLDAP"
    ),
}


@dataclass(frozen=True)
class NativePackages:
    build: list[str]
    runtime: list[str]
    reasons: list[str]


def native_packages(deps: Dependencies, *, debian_python: bool) -> NativePackages:
    """What the known native dependencies need; `debian_python` adds Debian's Python headers."""
    build: set[str] = set()
    runtime: set[str] = set()
    reasons: list[str] = []
    for name, needs in sorted(KNOWN.items()):
        if name not in deps:
            continue
        if name == "psycopg" and deps.has_extra("psycopg", "binary"):
            continue
        build.update(needs.build)
        runtime.update(needs.runtime)
        reasons.append(needs.why)
    if debian_python and any("gcc" in KNOWN[n].build for n in KNOWN if n in deps):
        build.add("python3-dev")
    return NativePackages(sorted(build), sorted(runtime), reasons)
