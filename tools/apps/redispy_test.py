"""redis-py (Debian's python3-redis) against the server: Lock (whose
acquire/extend/release/reacquire are Lua scripts), register_script with its
NOSCRIPT fallback, pipelines and transactions with WATCH, pub/sub, sorted
sets, SCAN iterators, blocking pops, and streams (XADD, XRANGE, XREVRANGE,
XREAD with BLOCK, XTRIM, XDEL; consumer groups are in
redispy_groups_test.py)."""

import hashlib
import threading
import time

import redis
from redis.exceptions import LockError, LockNotOwnedError, NoScriptError, ResponseError, WatchError

from harness import PORT, case, expect_eq, main, wait_for


def connect(**kw):
    return redis.Redis(host="127.0.0.1", port=PORT, socket_timeout=10, **kw)


r = connect()
rs = connect(decode_responses=True)


@case()
def connect_and_info():
    expect_eq(r.ping(), True, "PING")
    info = r.info()
    assert info["redis_version"].count(".") == 2, info["redis_version"]
    expect_eq(r.flushall(), True, "FLUSHALL")


@case()
def lock_excludes_a_second_holder():
    first = r.lock("resource", timeout=5)
    second = r.lock("resource", timeout=5)
    expect_eq(first.acquire(blocking=False), True, "first acquire")
    assert first.locked() and first.owned()
    expect_eq(second.acquire(blocking=False), False, "second acquire while held")
    # Blocking with a deadline retries every 0.1 s and gives up before
    # blocking_timeout would pass.
    started = time.monotonic()
    expect_eq(second.acquire(blocking=True, blocking_timeout=0.3), False, "second acquire with timeout")
    waited = time.monotonic() - started
    assert 0.15 <= waited < 2, waited
    assert not second.owned()
    # Only the owner can release (LUA_RELEASE_SCRIPT checks the token).
    try:
        second.release()
    except LockError:
        pass
    else:
        raise AssertionError("a lock not held was released")
    expect_eq(r.exists("resource"), 1, "lock key after a stranger's release")
    first.release()
    expect_eq(r.exists("resource"), 0, "lock key after release")
    expect_eq(second.acquire(blocking=False), True, "second acquire after release")
    second.release()


@case()
def lock_extend_reacquire_and_expiry():
    lock = r.lock("res2", timeout=1)
    assert lock.acquire(blocking=False)
    ttl = r.pttl("res2")
    assert 0 < ttl <= 1000, ttl
    expect_eq(lock.extend(10), True, "extend")  # adds to the remaining time
    ttl = r.pttl("res2")
    assert 9000 < ttl <= 11000, ttl
    expect_eq(lock.extend(3, replace_ttl=True), True, "extend replace_ttl")
    ttl = r.pttl("res2")
    assert 2000 < ttl <= 3000, ttl
    expect_eq(lock.reacquire(), True, "reacquire")  # back to timeout=1 s
    ttl = r.pttl("res2")
    assert 0 < ttl <= 1000, ttl
    # The lock times out; then another holder takes it, and the old owner
    # can neither extend nor release it.
    wait_for("the lock to expire", lambda: r.exists("res2") == 0, 3)
    other = r.lock("res2", timeout=5)
    assert other.acquire(blocking=False)
    for what, call in (("extend", lambda: lock.extend(1)), ("release", lock.release)):
        try:
            call()
        except LockNotOwnedError:
            pass
        else:
            raise AssertionError("the old owner could " + what)
    assert other.owned()
    other.release()


@case()
def lock_serializes_threads():
    # Four threads each increment a counter 25 times by GET and SET under
    # the lock: without mutual exclusion updates would be lost.
    r.set("counter", 0)
    errors = []

    def worker():
        c = connect()
        try:
            for _ in range(25):
                with c.lock("counter-lock", timeout=5, blocking_timeout=10, sleep=0.001):
                    v = int(c.get("counter"))
                    time.sleep(0.0005)
                    c.set("counter", v + 1)
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not errors, errors
    expect_eq(int(r.get("counter")), 100, "counter")


@case()
def register_script_and_noscript_fallback():
    src = "local v = redis.call('INCRBY', KEYS[1], ARGV[1]) return {KEYS[1], ARGV[1], v, 'x' .. v}"
    script = rs.register_script(src)
    expect_eq(script.sha, hashlib.sha1(src.encode()).hexdigest(), "sha")
    expect_eq(rs.script_exists(script.sha), [False], "SCRIPT EXISTS before")
    # The first call's EVALSHA gets NOSCRIPT; redis-py loads it and retries.
    expect_eq(script(keys=["sk"], args=[5]), ["sk", "5", 5, "x5"], "first call")
    expect_eq(rs.script_exists(script.sha), [True], "SCRIPT EXISTS after")
    expect_eq(script(keys=["sk"], args=[2]), ["sk", "2", 7, "x7"], "second call")
    rs.script_flush()
    expect_eq(script(keys=["sk"], args=[1]), ["sk", "1", 8, "x8"], "after SCRIPT FLUSH")
    # In a pipeline redis-py loads missing scripts before sending.
    rs.script_flush()
    pipe = rs.pipeline()
    script(keys=["sk"], args=[2], client=pipe)
    pipe.get("sk")
    expect_eq(pipe.execute(), [["sk", "2", 10, "x10"], "10"], "pipeline")
    # Errors from scripts, and EVALSHA of an unknown script.
    bad = rs.register_script("return redis.call('INCR', KEYS[1])")
    rs.set("notnum", "abc")
    try:
        bad(keys=["notnum"])
    except ResponseError as e:
        assert "value is not an integer or out of range" in str(e), str(e)
    else:
        raise AssertionError("INCR of a string succeeded in a script")
    try:
        rs.evalsha("ffffffffffffffffffffffffffffffffffffffff", 0)
    except NoScriptError as e:
        expect_eq(str(e), "No matching script. Please use EVAL.", "NOSCRIPT message")
    else:
        raise AssertionError("EVALSHA of an unknown sha succeeded")
    # Lua types to replies: numbers truncate, booleans, nil ends an array.
    expect_eq(rs.eval("return {1, 2.9, true, false, 'a', nil, 'b'}", 0), [1, 2, 1, None, "a"], "conversion")
    expect_eq(rs.eval("return redis.status_reply('FINE')", 0), "FINE", "status reply")


@case()
def pipelines_and_transactions():
    pipe = rs.pipeline(transaction=False)
    pipe.set("a", 1).incr("a").lpush("a", "x").get("a")
    got = pipe.execute(raise_on_error=False)
    expect_eq(got[:2], [True, 2], "pipeline replies")
    assert isinstance(got[2], ResponseError) and str(got[2]).startswith("WRONGTYPE"), got[2]
    expect_eq(got[3], "2", "after the error")

    tx = rs.pipeline()  # MULTI/EXEC
    tx.set("b", 10).incrby("b", 5).hset("hb", mapping={"f": "v"}).hgetall("hb")
    expect_eq(tx.execute(), [True, 15, 1, {"f": "v"}], "MULTI/EXEC")

    # A runtime error inside EXEC does not undo the other commands.
    tx = rs.pipeline()
    tx.set("c", "str").incr("c").set("d", "after")
    try:
        tx.execute()
    except ResponseError as e:
        assert "not an integer" in str(e), str(e)
    else:
        raise AssertionError("EXEC with a failing INCR raised nothing")
    expect_eq(rs.get("d"), "after", "command after the failing one")

    # transaction(): WATCH, a concurrent change makes EXEC fail, and the
    # function runs again.
    rs.set("balance", 100)
    other = connect(decode_responses=True)
    calls = []

    def withdraw(pipe):
        calls.append(1)
        balance = int(pipe.get("balance"))
        if len(calls) == 1:
            other.incrby("balance", 50)  # someone else writes after our WATCH
        pipe.multi()
        pipe.set("balance", balance - 30)

    rs.transaction(withdraw, "balance")
    expect_eq(len(calls), 2, "withdraw runs")
    expect_eq(rs.get("balance"), "120", "balance")

    # A WATCH conflict without retry raises WatchError.
    with rs.pipeline() as pipe:
        pipe.watch("balance")
        other.set("balance", 0)
        pipe.multi()
        pipe.set("balance", 999)
        try:
            pipe.execute()
        except WatchError:
            pass
        else:
            raise AssertionError("EXEC after a conflicting write succeeded")
    expect_eq(rs.get("balance"), "0", "balance after the aborted EXEC")


@case()
def pubsub_messages_and_patterns():
    p = rs.pubsub()
    p.subscribe("chat")
    p.psubscribe("log.*")
    for want in (("subscribe", "chat", 1), ("psubscribe", "log.*", 2)):
        m = p.get_message(timeout=5)
        expect_eq((m["type"], m["channel"], m["data"]), want, "subscription confirmation")
    expect_eq(rs.pubsub_numsub("chat", "none"), [("chat", 1), ("none", 0)], "PUBSUB NUMSUB")
    expect_eq(rs.pubsub_channels("ch*"), ["chat"], "PUBSUB CHANNELS")
    expect_eq(rs.publish("chat", "hi"), 1, "PUBLISH chat")
    expect_eq(rs.publish("log.error", "disk full"), 1, "PUBLISH log.error")
    expect_eq(rs.publish("log", "none"), 0, "PUBLISH log")
    got = []
    while len(got) < 2:
        m = p.get_message(timeout=5)
        assert m is not None, "no message within 5 s, got %r" % got
        got.append((m["type"], m.get("pattern"), m["channel"], m["data"]))
    expect_eq(got, [("message", None, "chat", "hi"), ("pmessage", "log.*", "log.error", "disk full")], "messages")

    # Handlers in a background thread, as applications use them.
    received = []
    p2 = rs.pubsub(ignore_subscribe_messages=True)
    p2.subscribe(**{"events": lambda m: received.append(m["data"])})
    thread = p2.run_in_thread(sleep_time=0.01, daemon=True)
    try:
        wait_for("the subscription", lambda: rs.pubsub_numsub("events") == [("events", 1)])
        for i in range(20):
            rs.publish("events", "e%d" % i)
        wait_for("20 events", lambda: len(received) == 20)
        expect_eq(received, ["e%d" % i for i in range(20)], "events in order")
    finally:
        thread.stop()
        thread.join(5)
    p.unsubscribe()
    p.punsubscribe()
    seen = set()
    while True:
        m = p.get_message(timeout=2)
        if m is None:
            break
        seen.add((m["type"], m["channel"], m["data"]))
        if m["data"] == 0:
            break
    assert ("unsubscribe", "chat", 1) in seen and ("punsubscribe", "log.*", 0) in seen, seen
    p.close()


@case()
def sorted_sets():
    expect_eq(rs.zadd("board", {"ann": 10, "bob": 7.5, "cy": 12, "dee": 7.5}), 4, "ZADD")
    expect_eq(rs.zadd("board", {"bob": 9}, xx=True, ch=True), 1, "ZADD XX CH")
    expect_eq(rs.zadd("board", {"eve": 1}, nx=True), 1, "ZADD NX")
    expect_eq(rs.zadd("board", {"ann": 5}, gt=True, ch=True), 0, "ZADD GT lower")
    expect_eq(
        rs.zrangebyscore("board", 7, 11, withscores=True),
        [("dee", 7.5), ("bob", 9.0), ("ann", 10.0)],
        "ZRANGEBYSCORE WITHSCORES",
    )
    expect_eq(rs.zrangebyscore("board", "(7.5", "+inf", withscores=True, start=1, num=2),
              [("ann", 10.0), ("cy", 12.0)], "exclusive min with LIMIT")
    expect_eq(rs.zrevrangebyscore("board", "+inf", "-inf", start=0, num=2), ["cy", "ann"], "ZREVRANGEBYSCORE")
    expect_eq(rs.zrange("board", 0, -1, withscores=True, score_cast_func=str),
              [("eve", "1"), ("dee", "7.5"), ("bob", "9"), ("ann", "10"), ("cy", "12")],
              "ZRANGE WITHSCORES, scores as sent")
    expect_eq(rs.zincrby("board", 2.25, "eve"), 3.25, "ZINCRBY")
    expect_eq(rs.zscore("board", "eve"), 3.25, "ZSCORE")
    expect_eq(rs.zscore("board", "nobody"), None, "ZSCORE missing")
    expect_eq(rs.zrank("board", "cy"), 4, "ZRANK")
    expect_eq(rs.zrevrank("board", "cy"), 0, "ZREVRANK")
    expect_eq(rs.zcount("board", "-inf", "(9"), 2, "ZCOUNT")
    expect_eq(rs.zpopmin("board"), [("eve", 3.25)], "ZPOPMIN")
    expect_eq(rs.zremrangebyscore("board", 0, 8), 1, "ZREMRANGEBYSCORE")
    expect_eq(rs.zcard("board"), 3, "ZCARD")
    rs.zadd("lex", {m: 0 for m in "abcdef"})
    expect_eq(rs.zrangebylex("lex", "[b", "(e"), ["b", "c", "d"], "ZRANGEBYLEX")
    rs.zadd("other", {"bob": 1, "zed": 2})
    expect_eq(rs.zunionstore("u", ["board", "other"], aggregate="MAX"), 4, "ZUNIONSTORE")
    expect_eq(rs.zrange("u", 0, -1, withscores=True),
              [("zed", 2.0), ("bob", 9.0), ("ann", 10.0), ("cy", 12.0)], "union")
    got = rs.bzpopmin(["emptyz", "board"], timeout=1)
    expect_eq(got, ("board", "bob", 9.0), "BZPOPMIN")


@case()
def scan_iterators_and_blocking_pop():
    with rs.pipeline(transaction=False) as pipe:
        for i in range(300):
            pipe.set("key:%d" % i, i)
        pipe.sadd("members", *range(200))
        pipe.execute()
    expect_eq(len(set(rs.scan_iter(match="key:*", count=25))), 300, "scan_iter")
    expect_eq(len(set(rs.sscan_iter("members", count=10))), 200, "sscan_iter")
    expect_eq(sorted(rs.scan_iter(_type="set")), ["members"], "SCAN TYPE")

    def push_later():
        time.sleep(0.2)
        connect().rpush("jobs", "j1")

    t = threading.Thread(target=push_later)
    t.start()
    started = time.monotonic()
    expect_eq(rs.blpop(["jobs"], timeout=5), ("jobs", "j1"), "BLPOP")
    assert time.monotonic() - started >= 0.15
    t.join()
    expect_eq(rs.blpop(["jobs"], timeout=0.1), None, "BLPOP timeout")
    expect_eq(rs.lmove("nolist", "dst"), None, "LMOVE of a missing list")



@case()
def streams_and_consumer_groups():
    ids = [rs.xadd("events", {"n": str(i), "kind": "click" if i % 2 else "view"}) for i in range(6)]
    expect_eq(rs.xlen("events"), 6, "XLEN")
    expect_eq(rs.xrange("events", count=2), [(ids[0], {"n": "0", "kind": "view"}),
                                            (ids[1], {"n": "1", "kind": "click"})], "XRANGE")
    expect_eq([i for i, _ in rs.xrevrange("events", max="+", min=ids[3])], ids[:2:-1], "XREVRANGE")
    expect_eq(rs.xread({"events": ids[4]}), [["events", [(ids[5], {"n": "5", "kind": "click"})]]], "XREAD")

    # A blocking XREAD from $ is woken by another client's XADD.
    got = []

    def read_new():
        got.extend(connect(decode_responses=True).xread({"events": "$"}, block=5000))

    t = threading.Thread(target=read_new)
    t.start()
    wait_for("the reader to block", lambda: rs.info("clients")["blocked_clients"] == 1)
    new_id = rs.xadd("events", {"n": "6"})
    t.join(5)
    expect_eq(got, [["events", [(new_id, {"n": "6"})]]], "blocked XREAD")

    expect_eq(rs.xtrim("events", maxlen=2, approximate=False), 5, "XTRIM")
    expect_eq([i for i, _ in rs.xrange("events")], [ids[5], new_id], "XRANGE after XTRIM")
    expect_eq(rs.xdel("events", new_id, "1-1"), 1, "XDEL")
    try:
        rs.xadd("events", {"a": "b"}, id="1-1")
    except ResponseError as e:
        expect_eq(str(e), "The ID specified in XADD is equal or smaller than the target stream top item",
                  "XADD error")
    else:
        raise AssertionError("XADD of an ID below the top succeeded")


main("redis-py")
