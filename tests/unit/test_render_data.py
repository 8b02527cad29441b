"""The results documents of ``tests.support.render`` hold what the renderer tests rely on."""

from __future__ import annotations

from tests.support.render import standard_document


def test_the_rich_entry_scores_and_the_bare_one_is_mostly_unknown() -> None:
    doc = standard_document()
    rich, bare = doc["results"][0], doc["results"][1]
    assert rich["score"] is not None and rich["axes"]["availability"]["score"] == 100
    assert bare["axes"]["availability"]["score"] is None
    assert bare["axes"]["metadata_completeness"]["score"] == 10
    assert any(f["check"] == "spec.inventory" for f in rich["findings"])
