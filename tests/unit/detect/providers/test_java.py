"""Java: Maven (properties, plugins, modules, Spring Boot), the Gradle wrapper, bad input."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kiln.detect import detect
from kiln.detect.overrides import Overrides
from kiln.detect.providers.java import TRUST_CLEANUP, TRUST_PRELUDE, java_line
from kiln.errors import ManifestError
from kiln.plan.bases import Catalog
from tests.unit.conftest import WriteFiles


def pom(body: str = "", ns: bool = True) -> str:
    xmlns = ' xmlns="http://maven.apache.org/POM/4.0.0"' if ns else ""
    return (
        f'<?xml version="1.0"?>\n<project{xmlns}><modelVersion>4.0.0</modelVersion>'
        f"<groupId>g</groupId><artifactId>demo</artifactId><version>1.0</version>{body}</project>"
    )


def test_plain_maven_jar(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"pom.xml": pom()}), catalog)
    assert (plan.provider, plan.package_manager, plan.language_version) == ("java", "maven", "21")
    assert plan.build[0] == TRUST_PRELUDE and plan.build[-1] == TRUST_CLEANUP
    assert plan.build[1] == "mvn -B -q -DskipTests package"
    assert "target/*.jar" in plan.build[2]
    assert plan.artifacts == ["/out/app.jar"] and plan.start == "java -jar /out/app.jar"
    assert plan.bases is not None and plan.bases.runtime.endswith("eclipse-temurin:21-jre")
    assert any("must name its Main-Class" in e for e in plan.explanations)


@pytest.mark.parametrize(
    ("properties", "source"),
    [
        ("<maven.compiler.release>17</maven.compiler.release>", "maven.compiler.release"),
        ("<java.version>17</java.version>", "java.version"),
        ("<maven.compiler.source>1.8</maven.compiler.source>", "maven.compiler.source"),
    ],
)
def test_release_from_properties(
    project: WriteFiles, catalog: Catalog, properties: str, source: str
) -> None:
    plan = detect(project({"pom.xml": pom(f"<properties>{properties}</properties>")}), catalog)
    assert plan.language_version == "21"  # a release is a minimum: the newest JDK builds it
    assert any(f"pom.xml ({source}) asks for" in e for e in plan.explanations)


def test_release_through_a_property_reference(project: WriteFiles, catalog: Catalog) -> None:
    body = (
        "<properties><jdk>17</jdk><java.version>${jdk}</java.version></properties>"
        "<build><plugins><plugin><artifactId>maven-compiler-plugin</artifactId>"
        "<configuration><release>${jdk}</release></configuration></plugin></plugins></build>"
    )
    plan = detect(project({"pom.xml": pom(body, ns=False)}), catalog)
    assert any("asks for '17'" in e for e in plan.explanations)


def test_java_version_file_wins(project: WriteFiles, catalog: Catalog) -> None:
    body = "<properties><java.version>21</java.version></properties>"
    plan = detect(project({"pom.xml": pom(body), ".java-version": "17.0.2\n"}), catalog)
    assert plan.language_version == "17"
    assert any(".java-version asks for '17.0.2'" in e for e in plan.explanations)


def test_tool_versions_between(project: WriteFiles, catalog: Catalog) -> None:
    body = "<properties><java.version>21</java.version></properties>"
    files = {"pom.xml": pom(body), ".tool-versions": "java temurin-17.0.9+9\n"}
    assert detect(project(files), catalog).language_version == "17"


def test_override_wins(project: WriteFiles, catalog: Catalog) -> None:
    files = {"pom.xml": pom(), ".java-version": "21\n"}
    plan = detect(project(files), catalog, overrides=Overrides(language_version="17"))
    assert plan.language_version == "17"


def test_java_line() -> None:
    assert [java_line(v) for v in ("1.8", "17.0.2", "temurin-21.0.1+12", "21")] == [
        "8",
        "17",
        "21",
        "21",
    ]


def test_spring_boot(project: WriteFiles, catalog: Catalog) -> None:
    body = (
        "<parent><groupId>org.springframework.boot</groupId>"
        "<artifactId>spring-boot-starter-parent</artifactId><version>3.3.0</version></parent>"
    )
    plan = detect(project({"pom.xml": pom(body)}), catalog)
    assert plan.framework == "spring-boot"
    assert plan.start == "java -Dserver.port=${PORT} -jar /out/app.jar"


def test_maven_wrapper(project: WriteFiles, catalog: Catalog) -> None:
    files = {"pom.xml": pom(), "mvnw": "#!/bin/sh\n", ".mvn/wrapper/maven-wrapper.properties": ""}
    plan = detect(project(files), catalog)
    assert plan.build[1] == "sh ./mvnw -B -q -DskipTests package"


def test_multi_module_picks_the_application(project: WriteFiles, catalog: Catalog) -> None:
    files = {
        "pom.xml": pom(
            "<packaging>pom</packaging><modules><module>lib</module><module>app</module></modules>"
        ),
        "lib/pom.xml": pom(),
        "app/pom.xml": pom(
            "<build><plugins><plugin><artifactId>spring-boot-maven-plugin</artifactId>"
            "</plugin></plugins></build>"
        ),
    }
    plan = detect(project(files), catalog)
    assert "app/target/*.jar" in plan.build[2]
    assert plan.framework == "spring-boot"


def test_gradle_needs_its_wrapper(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(ManifestError, match="no Gradle wrapper"):
        detect(project({"build.gradle": "plugins { id 'java' }\n"}), catalog)


def test_gradle_kotlin_dsl(project: WriteFiles, catalog: Catalog) -> None:
    script = (
        'plugins { id("org.springframework.boot") version "3.3.0" }\n'
        "java { toolchain { languageVersion = JavaLanguageVersion.of(17) } }\n"
    )
    plan = detect(project({"build.gradle.kts": script, "gradlew": "#!/bin/sh\n"}), catalog)
    assert plan.package_manager == "gradle" and plan.framework == "spring-boot"
    assert plan.build[1] == "sh ./gradlew --no-daemon -q bootJar -x test"
    assert "build/libs/*.jar" in plan.build[2]
    assert any("build.gradle.kts asks for '17'" in e for e in plan.explanations)


def test_gradle_source_compatibility(project: WriteFiles, catalog: Catalog) -> None:
    script = "sourceCompatibility = JavaVersion.VERSION_1_8\n"
    plan = detect(project({"build.gradle": script, "gradlew": ""}), catalog)
    assert any("asks for '8'" in e for e in plan.explanations)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<project><artifactId>x</artifact></project>", "not valid XML"),
        ("<html/>", "not <project>"),
        ('<!DOCTYPE p [<!ENTITY a "aaaa">]><project>&a;</project>', "DOCTYPE"),
    ],
)
def test_malformed_pom(project: WriteFiles, catalog: Catalog, text: str, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        detect(project({"pom.xml": text}), catalog)


def test_binary_pom(project: WriteFiles, catalog: Catalog) -> None:
    root = project({})
    (root / "pom.xml").write_bytes(b"PK\x03\x04\x00\x00")
    with pytest.raises(ManifestError, match="binary file"):
        detect(root, catalog)


def test_trust_prelude_builds_a_trust_store(tmp_path: Path) -> None:
    """The prelude really runs: Java turns the host's PEM bundle into a PKCS#12 store."""
    bundle = Path("/etc/ssl/certs/ca-certificates.crt")
    count = "keytool -list -keystore /tmp/kiln-trust.p12 -storepass changeit | grep -c Entry"
    script = f'{TRUST_PRELUDE} && echo "$JAVA_TOOL_OPTIONS" && {count} && {TRUST_CLEANUP}'
    result = subprocess.run(
        ["sh", "-c", script.replace("/tmp/", f"{tmp_path}/")],
        env={"SSL_CERT_FILE": str(bundle), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"-Djavax.net.ssl.trustStore={tmp_path}/kiln-trust.p12" in result.stdout
    entries = int(result.stdout.strip().splitlines()[-1])
    assert entries == bundle.read_text().count("BEGIN CERTIFICATE")
    assert not (tmp_path / "kiln-trust.p12").exists()  # cleaned up within the step
