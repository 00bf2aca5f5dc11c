"""pom.xml, read properly: namespaces, properties (`${java.version}`), plugins, modules.

Only what planning needs. A DOCTYPE is refused rather than expanded (no entity tricks).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from kiln.detect.repo import RepoView
from kiln.errors import ManifestError

RELEASE_PROPERTIES = (
    "maven.compiler.release",
    "java.version",
    "maven.compiler.target",
    "maven.compiler.source",
)
_PROPERTY = re.compile(r"\$\{([^}]+)\}")


@dataclass
class Pom:
    artifact_id: str
    spring_boot: bool = False
    main_class: str | None = None
    java_release: tuple[str, str] | None = None
    """(version text, where it was found)."""
    modules: list[str] = field(default_factory=list)

    @property
    def runnable(self) -> bool:
        return self.spring_boot or self.main_class is not None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element: ET.Element | None, name: str) -> ET.Element | None:
    if element is None:
        return None
    return next((c for c in element if _local(c.tag) == name), None)


def _text(element: ET.Element | None, name: str) -> str | None:
    child = _child(element, name)
    return child.text.strip() if child is not None and child.text else None


def _substitute(value: str, properties: dict[str, str]) -> str:
    for _ in range(5):  # nested properties, bounded
        replaced = _PROPERTY.sub(lambda m: properties.get(m.group(1), m.group(0)), value)
        if replaced == value:
            break
        value = replaced
    return value


def parse_pom(text: str, where: str) -> Pom:
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise ManifestError(f"{where} declares a DOCTYPE or entities; kiln does not expand them")
    try:
        root = ET.fromstring(text)  # noqa: S314 - no DOCTYPE, so no entity expansion
    except ET.ParseError as exc:
        raise ManifestError(f"{where} is not valid XML: {exc}") from exc
    if _local(root.tag) != "project":
        raise ManifestError(f"{where}: the root element is <{_local(root.tag)}>, not <project>")
    properties = {_local(p.tag): (p.text or "").strip() for p in (_child(root, "properties") or [])}
    pom = Pom(artifact_id=_text(root, "artifactId") or "app")
    parent = _child(root, "parent")
    pom.spring_boot = (_text(parent, "groupId") or "") == "org.springframework.boot"
    for name in RELEASE_PROPERTIES:
        if properties.get(name):
            pom.java_release = (_substitute(properties[name], properties), name)
            break
    for plugin in root.iter():
        if _local(plugin.tag) != "plugin":
            continue
        artifact = _text(plugin, "artifactId") or ""
        if artifact == "spring-boot-maven-plugin":
            pom.spring_boot = True
        configuration = _child(plugin, "configuration")
        if artifact == "maven-compiler-plugin" and pom.java_release is None:
            release = _text(configuration, "release") or _text(configuration, "target")
            if release:
                pom.java_release = (_substitute(release, properties), "maven-compiler-plugin")
    for element in root.iter():
        if _local(element.tag) == "mainClass" and element.text and element.text.strip():
            pom.main_class = _substitute(element.text.strip(), properties)
            break
    modules = _child(root, "modules")
    pom.modules = [m.text.strip() for m in (modules or []) if m.text and m.text.strip()]
    return pom


def read_pom(repo: RepoView, path: str) -> Pom:
    return parse_pom(repo.read_text(path), path)
