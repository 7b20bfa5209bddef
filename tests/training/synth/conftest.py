import pytest

from tests.training.corpus.corpus_helpers import build_small


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory):
    """30 clips of 4 s, seed 7, built once (read-only for tests)."""
    return build_small(tmp_path_factory.mktemp("small_corpus") / "corpus")
