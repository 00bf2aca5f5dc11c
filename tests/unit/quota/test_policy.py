"""The cleanup decision: worked examples, then properties over random image sets (hypothesis)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kiln.quota.policy import Policy, StoredImage, Usage, plan_cleanup, unique_bytes

T0 = datetime(2026, 1, 1, tzinfo=UTC)
BASE = ("sha256:base", 400)


def image(
    app: str, n: int, own: int, tags: tuple[str, ...] = (), pinned: bool = False
) -> StoredImage:
    return StoredImage(
        app=app, repository=f"ws/{app}", digest=f"sha256:{app}{n}", tags=tags or (f"v{n}",),
        pushed_at=T0 + timedelta(hours=n), blobs=(BASE, (f"sha256:{app}{n}-layer", own)),
        pinned=pinned,
    )  # fmt: skip


def test_shared_blobs_count_once() -> None:
    images = [image("a", i, 100) for i in range(5)]
    assert unique_bytes(images) == 400 + 5 * 100
    usage = Usage(images)
    assert usage.remove(images[0]) == 100  # the base layer is still used
    assert usage.bytes == 400 + 4 * 100


def test_below_the_trigger_nothing_happens() -> None:
    images = [image("a", i, 100) for i in range(5)]
    plan = plan_cleanup(images, quota_bytes=2000)
    assert not plan.triggered and plan.removed == [] and plan.after_bytes == 900


def test_oldest_go_first_keeping_three_then_two_per_app() -> None:
    images = [image("a", i, 100) for i in range(6)] + [image("b", i, 100) for i in range(3)]
    # usage 400 + 900 = 1300; quota 1500 → 86.7 % > 80 %; target 1050 → free 250+ bytes
    plan = plan_cleanup(images, quota_bytes=1500)
    assert [r.image.digest for r in plan.removed] == ["sha256:a0", "sha256:a1", "sha256:a2"]
    assert plan.after_bytes == 1000 <= 1050
    # with keep=3 not enough: the second pass keeps 2 per app, oldest first across apps
    tighter = plan_cleanup(images, quota_bytes=1000 * 100 // 85)
    assert "sha256:b0" in {r.image.digest for r in tighter.removed}
    assert all(r.image.digest not in ("sha256:a5", "sha256:a4") for r in tighter.removed)


def test_protections_are_honoured_and_reported() -> None:
    images = [
        image("a", 0, 300, tags=("v0", "latest")),
        image("a", 1, 300, pinned=True),
        image("a", 2, 300), image("a", 3, 300), image("a", 4, 300),
        image("solo", 0, 2000),
    ]  # fmt: skip
    plan = plan_cleanup(images, quota_bytes=3000, policy=Policy(protected_tags=("latest", "rel-*")))
    removed = {r.image.digest for r in plan.removed}
    assert (
        "sha256:a0" not in removed and "sha256:a1" not in removed and "sha256:solo0" not in removed
    )
    reasons = {k.image.digest: k.reason for k in plan.kept_protected}
    assert reasons["sha256:a0"] == "protected tag 'latest'"
    assert reasons["sha256:a1"] == "pinned as the app's current image"


images_strategy = st.lists(
    st.builds(
        lambda app, hour, size, shared, latest, pinned: StoredImage(
            app=f"app{app}", repository=f"ws/app{app}", digest=f"sha256:{app}-{hour}",
            tags=("latest",) if latest else (f"t{hour}",), pushed_at=T0 + timedelta(hours=hour),
            blobs=((f"sha256:shared{shared}", 500), (f"sha256:own-{app}-{hour}", size)),
            pinned=pinned,
        ),
        app=st.integers(0, 4), hour=st.integers(0, 200), size=st.integers(1, 10_000),
        shared=st.integers(0, 2), latest=st.booleans(), pinned=st.booleans(),
    ),
    max_size=40,
    unique_by=lambda i: i.key,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(images=images_strategy, quota=st.integers(1, 200_000))
def test_properties(images: list[StoredImage], quota: int) -> None:
    policy = Policy()
    plan = plan_cleanup(images, quota, policy)
    removed = [r.image for r in plan.removed]
    kept = [i for i in images if i not in removed]
    assert plan.before_bytes == unique_bytes(images)
    assert plan.after_bytes == unique_bytes(kept)
    if not plan.triggered:
        assert removed == []
        return
    # protections: no protected tag, no pinned image, never the last image of an app
    assert not any(i.pinned or "latest" in i.tags for i in removed)
    apps_before, apps_after = Counter(i.app for i in images), Counter(i.app for i in kept)
    assert set(apps_after) == set(apps_before)
    # the two newest of every app survive
    for app in apps_before:
        newest = sorted((i for i in images if i.app == app), key=lambda i: i.pushed_at)[-2:]
        assert all(i in kept for i in newest)
    # minimal: every deletion happened while usage was still above the target
    target = quota * policy.target_percent / 100
    usage = Usage(images)
    for image in removed:
        assert usage.bytes > target
        usage.remove(image)
    assert sum(r.freed_bytes for r in plan.removed) == plan.before_bytes - plan.after_bytes
