"""Presence shared by server processes through Redis, and kept in memory for a single one."""

from __future__ import annotations

import json

import pytest
from redis import Redis

from api.workspaces.presence_store import MemoryPresence, RedisPresence, Viewing

WORKSPACE = "w-" + "a" * 32
MEMBERS = {"alice", "bob"}


@pytest.fixture
def two_processes(redis_url):
    return RedisPresence(Redis.from_url(redis_url)), RedisPresence(Redis.from_url(redis_url))


def test_presence_sockets_on_two_processes_appear_in_one_summary(two_processes):
    first, second = two_processes
    first.set("sid-alice", Viewing("alice", WORKSPACE, "d1"))
    second.set("sid-bob", Viewing("bob", WORKSPACE, "d1"))
    second.typing("sid-bob", "d1")
    summary = first.summary(WORKSPACE, MEMBERS)
    assert summary["viewers"] == {"d1": ["alice", "bob"]}
    assert summary["typing"] == {"d1": ["bob"]}


def test_presence_leaving_and_disconnecting_are_seen_by_the_other_process(two_processes):
    first, second = two_processes
    first.set("sid-alice", Viewing("alice", WORKSPACE, "d1"))
    assert first.set("sid-alice", Viewing("alice", "w-" + "b" * 32, None)) == WORKSPACE
    assert second.summary(WORKSPACE, MEMBERS)["viewers"] == {}
    second.set("sid-bob", Viewing("bob", WORKSPACE, "d2"))
    assert second.set("sid-bob", None) == WORKSPACE
    assert first.summary(WORKSPACE, MEMBERS)["viewers"] == {}


def test_presence_of_a_dead_process_drops_out(two_processes, redis_url):
    first, second = two_processes
    first.set("sid-alice", Viewing("alice", WORKSPACE, "d1"))
    second.set("sid-bob", Viewing("bob", WORKSPACE, "d1"))
    redis = Redis.from_url(redis_url)
    alice = json.loads(redis.hget(f"paravent:presence:workspace:{WORKSPACE}", "sid-alice"))
    redis.delete(f"paravent:process:{alice['process']}")  # the first process stopped beating
    assert second.summary(WORKSPACE, MEMBERS)["viewers"] == {"d1": ["bob"]}


def test_presence_in_memory_typing_needs_the_viewed_dossier():
    presence = MemoryPresence()
    presence.set("sid", Viewing("alice", WORKSPACE, "d1"))
    presence.typing("sid", "d2")
    assert presence.summary(WORKSPACE, MEMBERS)["typing"] == {}
    presence.typing("sid", "d1")
    assert presence.summary(WORKSPACE, MEMBERS)["typing"] == {"d1": ["alice"]}


@pytest.fixture(params=["memory", "redis"])
def store(request):
    if request.param == "memory":
        return MemoryPresence()
    return RedisPresence(Redis.from_url(request.getfixturevalue("redis_url")))


def test_presence_summary_lists_current_members_only(store):
    store.set("sid-alice", Viewing("alice", WORKSPACE, "d1"))
    store.set("sid-bob", Viewing("bob", WORKSPACE, "d1"))
    store.typing("sid-bob", "d1")
    summary = store.summary(WORKSPACE, {"alice"})  # bob was removed, his socket still open
    assert (summary["viewers"], summary["typing"]) == ({"d1": ["alice"]}, {})


def test_presence_changes_count_every_change_of_the_workspace(store):
    counted = [store.changes(WORKSPACE)]
    store.set("sid-alice", Viewing("alice", WORKSPACE, "d1"))
    counted.append(store.changes(WORKSPACE))
    store.typing("sid-alice", "d1")
    counted.append(store.changes(WORKSPACE))
    store.set("sid-alice", Viewing("alice", "w-" + "b" * 32, None))  # left for another workspace
    counted.append(store.changes(WORKSPACE))
    assert counted == sorted(set(counted))  # each one counted
    assert store.summary(WORKSPACE, MEMBERS)["viewers"] == {}  # the count is no viewer


def test_presence_changes_made_by_another_process_are_counted(two_processes):
    first, second = two_processes
    before = first.changes(WORKSPACE)
    second.set("sid-bob", Viewing("bob", WORKSPACE, "d1"))
    assert first.changes(WORKSPACE) > before
    assert first.summary(WORKSPACE, MEMBERS)["viewers"] == {"d1": ["bob"]}
