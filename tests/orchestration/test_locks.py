"""One writer at a time: a second build fails clearly instead of fighting over the warehouse."""

from __future__ import annotations

import multiprocessing as mp
import time

import pytest

from dagster_project.resources.warehouse import WarehouseBusy, exclusive_lock


def _hold(path, seconds, ready):
    with exclusive_lock(path, 5, "the warehouse"):
        ready.set()
        time.sleep(seconds)


def test_a_second_writer_waits_then_fails_with_a_clear_message(tmp_path):
    lock = tmp_path / ".write.lock"
    ready = mp.Event()
    holder = mp.Process(target=_hold, args=(lock, 3, ready))
    holder.start()
    try:
        assert ready.wait(10)
        started = time.monotonic()
        with pytest.raises(WarehouseBusy, match=r"the warehouse is locked by pid \d+"):
            with exclusive_lock(lock, 1, "the warehouse"):
                pass
        assert time.monotonic() - started >= 1
    finally:
        holder.join()
    with exclusive_lock(lock, 1, "the warehouse"):  # free again once the holder finished
        pass
