import pytest

from tests.training.corpus.corpus_helpers import build_small


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory):
    """30 clips of 4 s, seed 7, built once (read-only for tests)."""
    return build_small(tmp_path_factory.mktemp("small_corpus") / "corpus")


@pytest.fixture(scope="session")
def held_out_corpus(tmp_path_factory):
    """The corpus tests' fixture sources, with real_test and unseen splits (read-only)."""
    from tests.training.corpus.corpus_helpers import build_held_out, write_real_sources

    root = tmp_path_factory.mktemp("held_out")
    return build_held_out(root / "corpus", write_real_sources(root / "sources"))
