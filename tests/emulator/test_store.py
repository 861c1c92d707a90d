"""Store internals that HTTP cannot reach: atomic change sets and keyset paging."""
from __future__ import annotations

from collections.abc import Iterable

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinde_iac.emulator import paging
from kinde_iac.emulator.errors import ApiFailure
from kinde_iac.emulator.store import Repositories, Store
from kinde_iac.emulator.store.persistence import MemoryBackend


class FailingBackend(MemoryBackend):
    def save(self, puts: Iterable, deletes: Iterable) -> None:
        raise OSError("disk full")


def test_a_failed_write_leaves_memory_unchanged() -> None:
    store = Store.open(None, environments=["production"], client_id="c", client_secret="s")
    repos = Repositories(store)
    role = repos.roles.create("production", key="admin", name="Admin", description=None,
                              is_default_role=None, assignment_permission_id=None)
    store._backend = FailingBackend()
    with pytest.raises(OSError):
        repos.roles.delete("production", role.id)
    with pytest.raises(OSError):
        repos.permissions.create("production", key="p", name="P", description=None)
    assert [r.id for r in repos.roles.list("production")] == [role.id]
    assert repos.permissions.list("production") == []


def test_unique_keys_follow_renames_deletes_and_failed_writes() -> None:
    # Key checks go through an index kept by every change set (issue 19); it must agree with the
    # tables after a rename, a delete and a change set that was rolled back.
    store = Store.open(None, environments=["production"], client_id="c", client_secret="s")
    perms = Repositories(store).permissions
    first = perms.create("production", key="a", name="A", description=None)
    perms.update("production", first.id, key="b", name=None, description=None)
    second = perms.create("production", key="a", name="A again", description=None)  # "a" is free now
    with pytest.raises(ApiFailure):
        perms.create("production", key="b", name="B twice", description=None)
    perms.update("production", second.id, key="a", name="Same key, same id", description=None)
    perms.delete("production", first.id)
    store._backend = FailingBackend()
    with pytest.raises(OSError):
        perms.create("production", key="b", name="Rolled back", description=None)
    store._backend = MemoryBackend()
    third = perms.create("production", key="b", name="B", description=None)  # the failed one left no trace
    with pytest.raises(ApiFailure):
        perms.create("production", key="a", name="A twice", description=None)
    assert sorted((p.key, p.id) for p in perms.list("production")) == sorted([("a", second.id), ("b", third.id)])


@attrs.frozen
class Item:
    id: str
    name: str
    seq: int


@settings(max_examples=60, deadline=None)
@given(names=st.lists(st.sampled_from(["a", "B", "c", "a", "D"]), max_size=40),
       size=st.integers(min_value=1, max_value=12),
       sort=st.sampled_from(["", "name_asc", "name_desc", "id_asc", "id_desc"]))
def test_a_token_walk_visits_every_item_once_in_order(names: list[str], size: int, sort: str) -> None:
    items = [Item(id=f"id{i:03}", name=name, seq=i) for i, name in enumerate(names)]
    sorts = {**paging.NAME_SORTS, "id_asc": paging.Sort(paging.by_id), "id_desc": paging.Sort(paging.by_id, True)}
    args = {"page_size": str(size)} | ({"sort": sort} if sort else {})
    seen: list[Item] = []
    while True:
        page, token = paging.token_page(items, args, sorts)
        assert len(page) <= size
        seen += page
        if token is None:
            break
        args["next_token"] = token
    expected = sorted(items, key=(sorts[sort] if sort else paging.Sort(paging.by_seq)).key,
                      reverse=bool(sort) and sorts[sort].descending)
    assert seen == expected


def test_page_size_limits() -> None:
    assert paging.page_size({}, 10) == 10
    assert paging.page_size({"page_size": "500"}, 10) == 500
    for bad, code in [("501", "PAGE_SIZE_LIMIT_EXCEEDED"), ("0", "INVALID_PAGE_SIZE"), ("x", "INVALID_PAGE_SIZE")]:
        with pytest.raises(ApiFailure) as caught:
            paging.page_size({"page_size": bad}, 10)
        assert caught.value.code == code and caught.value.status == 400
