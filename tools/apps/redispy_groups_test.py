"""redis-py (Debian's python3-redis) with stream consumer groups: XGROUP,
XREADGROUP, XACK, XPENDING, XAUTOCLAIM, XCLAIM and XINFO, whose replies
redis-py parses into dicts and tuples."""

import redis
from redis.exceptions import ResponseError

from harness import PORT, case, expect_eq, main

rs = redis.Redis(host="127.0.0.1", port=PORT, socket_timeout=10, decode_responses=True)

USED = "XADD XGROUP XREADGROUP XACK XPENDING XAUTOCLAIM XCLAIM XINFO".split()


@case()
def server_has_the_group_commands():
    # A bare connection: redis-py's COMMAND reply parser cannot take nils.
    conn = redis.Connection(host="127.0.0.1", port=PORT, socket_timeout=10)
    conn.send_command("COMMAND", "INFO", *USED)
    infos = conn.read_response()
    conn.disconnect()
    missing = [name for name, info in zip(USED, infos) if info is None]
    expect_eq(missing, [], "commands the server lacks (COMMAND INFO replies nil)")


@case()
def consumer_groups():
    ids = [rs.xadd("events", {"n": str(i)}) for i in range(6)]
    new_id = rs.xadd("events", {"n": "6"})
    expect_eq(rs.xgroup_create("events", "workers", id="0"), True, "XGROUP CREATE")
    first = rs.xreadgroup("workers", "alice", {"events": ">"}, count=3)
    expect_eq([i for i, _ in first[0][1]], ids[:3], "XREADGROUP alice")
    second = rs.xreadgroup("workers", "bob", {"events": ">"}, count=2)
    expect_eq([i for i, _ in second[0][1]], ids[3:5], "XREADGROUP bob")
    expect_eq(rs.xack("events", "workers", ids[0], ids[1]), 2, "XACK")
    pending = rs.xpending("events", "workers")
    expect_eq(pending["pending"], 3, "XPENDING count")
    expect_eq(pending["min"], ids[2], "XPENDING min")
    expect_eq(pending["max"], ids[4], "XPENDING max")
    expect_eq(sorted((c["name"], c["pending"]) for c in pending["consumers"]), [("alice", 1), ("bob", 2)],
              "XPENDING consumers")
    detail = rs.xpending_range("events", "workers", min="-", max="+", count=10, consumername="bob")
    expect_eq([(d["message_id"], d["consumer"], d["times_delivered"]) for d in detail],
              [(ids[3], "bob", 1), (ids[4], "bob", 1)], "XPENDING range")
    # carol claims what bob has had for a while (min idle 0 here).
    claimed = rs.xautoclaim("events", "workers", "carol", min_idle_time=0, start_id="0-0", count=10)
    expect_eq([i for i, _ in claimed[1]], ids[2:5], "XAUTOCLAIM")
    expect_eq(rs.xclaim("events", "workers", "alice", 0, [ids[2]], justid=True), [ids[2]], "XCLAIM JUSTID")
    info = rs.xinfo_stream("events")
    expect_eq((info["length"], info["groups"], info["last-generated-id"]), (7, 1, new_id), "XINFO STREAM")
    groups = rs.xinfo_groups("events")
    expect_eq([(g["name"], g["consumers"], g["pending"]) for g in groups], [("workers", 3, 3)], "XINFO GROUPS")
    consumers = {c["name"]: c["pending"] for c in rs.xinfo_consumers("events", "workers")}
    expect_eq(consumers, {"alice": 1, "bob": 0, "carol": 2}, "XINFO CONSUMERS")
    try:
        rs.xreadgroup("nogroup", "x", {"events": ">"})
    except ResponseError as e:
        assert str(e).startswith("NOGROUP No such key 'events' or consumer group 'nogroup'"), str(e)
    else:
        raise AssertionError("XREADGROUP of a missing group succeeded")
    expect_eq(rs.xgroup_destroy("events", "workers"), 1, "XGROUP DESTROY")

    # A stream made by XGROUP CREATE MKSTREAM stays when its group goes.
    expect_eq(rs.xgroup_create("empty", "g", id="$", mkstream=True), True, "XGROUP CREATE MKSTREAM")
    expect_eq(rs.xgroup_destroy("empty", "g"), 1, "XGROUP DESTROY of the only group")
    expect_eq(rs.type("empty"), "stream", "the empty stream after XGROUP DESTROY")


main("redis-py groups")
