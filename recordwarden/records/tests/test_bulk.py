"""The bulk writer's row pipeline: nothing lost, errors surface, no stray thread."""

import threading

import pytest

from recordwarden.records.bulk import _batched, _prefetched


def test_every_row_arrives_in_order_across_batches():
    batches = list(_prefetched(_batched(((i,) for i in range(1000)), 7)))
    assert [row for batch in batches for row in batch] == [(i,) for i in range(1000)]
    assert {len(b) for b in batches[:-1]} == {7}


def test_an_error_while_building_rows_aborts_the_write():
    def rows():
        yield (1,)
        raise RuntimeError("encryption key missing")

    with pytest.raises(RuntimeError, match="encryption key missing"):
        list(_prefetched(_batched(rows(), 1)))


def test_a_writer_that_stops_early_leaves_no_thread_behind():
    pipeline = _prefetched(_batched(((i,) for i in range(10**6)), 10))
    next(pipeline)
    pipeline.close()
    assert not any(t.name == "records-bulk-rows" for t in threading.enumerate())
