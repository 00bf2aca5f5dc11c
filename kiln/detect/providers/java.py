"""Java (Maven, Gradle wrapper; Spring Boot): the jar alone on a JRE, no JDK and no sources.

Java reads no PEM bundle: when the build has an extra CA (the `kiln-ca` secret, exported as
SSL_CERT_FILE), a few lines of Java turn it into a PKCS#12 trust store for that one RUN step,
deleted before the step ends, so it never lands in a layer.
"""

from __future__ import annotations

import re

from kiln.detect.pins import PinFile, first_line, requested_version, use_language_bases
from kiln.detect.provider import DetectContext, VersionRequest
from kiln.detect.providers.java_pom import Pom, read_pom
from kiln.detect.repo import RepoView
from kiln.detect.version_ranges import release_line
from kiln.detect.versions import minimum
from kiln.errors import ManifestError
from kiln.plan.model import BuildPlan, CacheMount

PORT = 8080
DEFAULT_VERSION = "21"
JAR = "/out/app.jar"
MAX_MODULES = 50
GRADLE_FILES = ("build.gradle.kts", "build.gradle")
_TRUST_JAVA = (
    "import java.io.*;import java.security.KeyStore;import java.security.cert.*;"
    "public class KilnTrust{public static void main(String[] a)throws Exception{"
    'KeyStore k=KeyStore.getInstance("PKCS12");k.load(null,null);int i=0;'
    "try(InputStream in=new FileInputStream(a[0])){for(Certificate c:"
    'CertificateFactory.getInstance("X.509").generateCertificates(in))'
    'k.setCertificateEntry("c"+i++,c);}'
    'try(OutputStream o=new FileOutputStream(a[1])){k.store(o,"changeit".toCharArray());}}}'
)
TRUST_PRELUDE = (
    'if [ -n "${SSL_CERT_FILE:-}" ]; then '
    f"printf '%s\\n' '{_TRUST_JAVA}' > /tmp/KilnTrust.java"
    ' && java /tmp/KilnTrust.java "$SSL_CERT_FILE" /tmp/kiln-trust.p12'
    ' && export JAVA_TOOL_OPTIONS="-Djavax.net.ssl.trustStore=/tmp/kiln-trust.p12'
    ' -Djavax.net.ssl.trustStorePassword=changeit"; fi'
)
TRUST_CLEANUP = "rm -f /tmp/KilnTrust.java /tmp/kiln-trust.p12"
_GRADLE_VERSION = (
    re.compile(r"JavaLanguageVersion\.of\(\s*['\"]?(\d+)"),
    re.compile(
        r"(?:source|target)Compatibility\s*=?\s*(?:JavaVersion\.VERSION_)?['\"]?(\d+(?:[._]\d+)?)"
    ),
)
_GRADLE_SPRING = re.compile(r"org\.springframework\.boot")


def java_line(text: str) -> str:
    """`1.8` → `8`, `17.0.2` → `17`, `temurin-21.0.1+12` → `21`."""
    cleaned = re.sub(r"^[A-Za-z]+-", "", text.strip())
    cleaned = cleaned.removeprefix("1.") if re.match(r"^1\.\d", cleaned) else cleaned
    match = re.match(r"\d+", cleaned)
    return match.group(0) if match else text.strip()


def copy_jar(directory: str) -> str:
    """Copy the runnable jar Maven/Gradle left in `directory` (not sources/javadoc/plain)."""
    return (
        f"jar=$(ls {directory}/*.jar | grep -v -e '-sources\\.jar$' -e '-javadoc\\.jar$'"
        " -e '-plain\\.jar$' -e '-tests\\.jar$' -e '/original-' | head -n 1)"
        f' && test -n "$jar" && install -D -m 0644 "$jar" {JAR}'
    )


class JavaProvider:
    name = "java"

    def detect(self, repo: RepoView) -> bool:
        return repo.has_file("pom.xml") or any(repo.has_file(f) for f in GRADLE_FILES)

    def plan(self, ctx: DetectContext) -> BuildPlan:
        repo = ctx.repo
        plan = BuildPlan(provider=self.name, language="java", port=PORT)
        if repo.has_file("pom.xml"):
            manifest, spring, build = self._maven(repo, plan)
        else:
            manifest, spring, build = self._gradle(repo, plan)
        version = ctx.choose_version(plan, "java", self._request(ctx, manifest), DEFAULT_VERSION)
        plan.language_version = version
        use_language_bases(ctx, plan, "java", version)
        plan.build = [TRUST_PRELUDE, *build, TRUST_CLEANUP]
        plan.artifacts = [JAR]
        if spring:
            plan.framework = "spring-boot"
            plan.start = "java -Dserver.port=${PORT} -jar " + JAR
            plan.explain("Spring Boot: its executable jar, listening on $PORT (server.port)")
        else:
            plan.start = f"java -jar {JAR}"
        plan.explain("the jar alone on the JRE runtime image: no JDK, no build tool, no sources")
        return plan

    @staticmethod
    def _request(ctx: DetectContext, manifest: VersionRequest | None) -> VersionRequest | None:
        return requested_version(
            ctx,
            pins=[PinFile(".java-version", first_line), PinFile(".sdkmanrc", _sdkman)],
            tools=("java",),
            pinned=lambda text: release_line(java_line(text)),
            manifest=manifest,
        )

    def _maven(
        self, repo: RepoView, plan: BuildPlan
    ) -> tuple[VersionRequest | None, bool, list[str]]:
        pom = read_pom(repo, "pom.xml")
        plan.package_manager = "maven"
        plan.detected_files.append("pom.xml")
        plan.caches = [CacheMount(id="maven", target="/root/.m2")]
        wrapper = repo.has_file("mvnw") and repo.has_file(".mvn/wrapper/maven-wrapper.properties")
        mvn = "sh ./mvnw" if wrapper else "mvn"
        if wrapper:
            plan.explain("builds with the Maven wrapper (mvnw)")
        runnable = pom
        target = "target"
        if pom.modules:
            runnable, target = self._runnable_module(repo, pom)
            plan.explain(f"a multi-module build; the application is module {target.split('/')[0]}")
        if not runnable.runnable:
            plan.explain(
                "no Spring Boot plugin and no mainClass in the pom: the jar must name its "
                "Main-Class, or set the start command"
            )
        build = [f"{mvn} -B -q -DskipTests package", copy_jar(target)]
        request = None
        release = pom.java_release or runnable.java_release
        if release is not None:
            text, source = release
            request = VersionRequest(
                java_line(text), f"pom.xml ({source})", minimum(java_line(text))
            )
        return request, runnable.spring_boot, build

    @staticmethod
    def _runnable_module(repo: RepoView, pom: Pom) -> tuple[Pom, str]:
        """The first module that is a Spring Boot app or names a main class, else the first."""
        found: list[tuple[Pom, str]] = []
        for module in pom.modules[:MAX_MODULES]:
            if module.startswith("/") or ".." in module.split("/"):
                raise ManifestError(f"pom.xml: module {module!r} is outside the repository")
            if repo.has_file(f"{module}/pom.xml"):
                found.append((read_pom(repo, f"{module}/pom.xml"), f"{module}/target"))
        if not found:
            raise ManifestError("pom.xml lists modules, but none has a pom.xml")
        return next((entry for entry in found if entry[0].runnable), found[0])

    @staticmethod
    def _gradle(repo: RepoView, plan: BuildPlan) -> tuple[VersionRequest | None, bool, list[str]]:
        script = next(f for f in GRADLE_FILES if repo.has_file(f))
        plan.package_manager = "gradle"
        plan.detected_files.append(script)
        if not repo.has_file("gradlew"):
            raise ManifestError(
                f"{script} found but no Gradle wrapper (gradlew): the base images carry no "
                "Gradle, so the project must bring its wrapper",
                hint="run `gradle wrapper` and commit gradlew and gradle/wrapper/",
            )
        text = repo.read_text(script)
        plan.caches = [CacheMount(id="gradle", target="/root/.gradle")]
        spring = bool(_GRADLE_SPRING.search(text))
        task = "bootJar" if spring else "jar"
        build = [f"sh ./gradlew --no-daemon -q {task} -x test", copy_jar("build/libs")]
        request = None
        for pattern in _GRADLE_VERSION:
            found = pattern.search(text)
            if found:
                line = java_line(found.group(1).replace("_", "."))
                request = VersionRequest(line, script, minimum(line))
                break
        return request, spring, build


def _sdkman(text: str) -> str | None:
    """`.sdkmanrc`: `java=21.0.2-tem`."""
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "java" and value.strip():
            return value.strip()
    return None
