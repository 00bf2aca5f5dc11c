"""Debian packages for known native dependencies: build stage and runtime image apart."""

from kiln.detect import detect
from kiln.plan.bases import Catalog, CatalogImage
from kiln.plan.dockerfile import render
from tests.unit.conftest import WriteFiles


def test_psycopg2_gets_headers_to_build_and_libpq_to_run(
    project: WriteFiles, catalog: Catalog
) -> None:
    plan = detect(project({"requirements.txt": "psycopg2==2.9.10\n", "main.py": ""}), catalog)
    assert plan.install[0] == (
        "apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev"
        " && rm -rf /var/lib/apt/lists/*"
    )
    assert plan.apt_packages == ["libpq5"]
    assert any("psycopg2 builds against libpq" in e for e in plan.explanations)
    dockerfile = render(plan, with_ca=False)
    runtime = dockerfile.split("\nFROM ")[-1]
    assert "install -y --no-install-recommends libpq5" in runtime and "libpq-dev" not in runtime


def test_binary_wheels_need_nothing(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(
        project({"requirements.txt": "psycopg[binary]\npsycopg2-binary\n", "main.py": ""}), catalog
    )
    assert plan.apt_packages == [] and not plan.install[0].startswith("apt-get")


def test_mysqlclient_and_pillow(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"requirements.txt": "mysqlclient\nPillow\n", "main.py": ""}), catalog)
    assert plan.apt_packages == ["libjpeg62-turbo", "libmariadb3"]
    assert "default-libmysqlclient-dev" in plan.install[0] and "libjpeg-dev" in plan.install[0]


def test_debian_python_gets_its_headers(project: WriteFiles, catalog: Catalog) -> None:
    images = [
        image.model_copy(update={"packages": ["python3"]}) if image.language == "python" else image
        for image in catalog.images
    ]
    debian = Catalog(source="test", images=[CatalogImage.model_validate(i) for i in images])
    plan = detect(project({"requirements.txt": "psycopg2\n", "main.py": ""}), debian)
    assert "python3-dev" in plan.install[0]
