"""RQ (Debian's python3-rq) against the server: enqueue jobs, run a burst
worker with the rq command line as users do, and fetch results (kept in a
Redis stream per job since RQ 1.12: XADD, XREVRANGE, XLEN), failures with
their tracebacks, job timeouts in the forked work horse, and dependencies."""

import os
import subprocess
import sys

import redis
from rq import Queue, SimpleWorker, Worker
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, FinishedJobRegistry
from rq.results import Result

import rq_jobs
from harness import PORT, case, expect_eq, main

HERE = os.path.dirname(os.path.abspath(__file__))
URL = "redis://127.0.0.1:%d/0" % PORT
r = redis.Redis(host="127.0.0.1", port=PORT, socket_timeout=10)

# The commands RQ 1.13 sends, read from its source (the redis-py methods
# rq/*.py call on its connections and pipelines, and Queue.empty's Lua
# script): a server lacking any of them is named first.
USED = ("BLPOP CLIENT DEL EXISTS EXPIRE GET HDEL HEXISTS HGET HGETALL HINCRBY HINCRBYFLOAT HMGET HMSET "
        "HSET INFO LLEN LPOP LPOS LPUSH LRANGE LREM PERSIST PUBLISH RENAME RPUSH SADD SET SMEMBERS SREM "
        "WATCH MULTI EXEC UNWATCH SUBSCRIBE UNSUBSCRIBE EVALSHA EVAL SCRIPT "
        "XADD XLEN XREVRANGE ZADD ZCARD ZRANGE ZRANGEBYSCORE ZREM ZREMRANGEBYSCORE ZREVRANGEBYSCORE "
        "ZSCORE").split()


def burst_worker(*queues, timeout=40):
    """Runs `rq worker --burst` on the queues, as a user would, and returns
    its output."""
    cmd = [sys.executable, "-m", "rq.cli", "worker", "--burst", "--url", URL, "--path", HERE,
           "--logging_level", "INFO", *queues]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout, text=True)
    if p.returncode != 0:
        tail = "\n".join(p.stdout.splitlines()[-30:])
        raise AssertionError("rq worker exited %d; its last lines:\n%s" % (p.returncode, tail))
    return p.stdout


@case()
def server_has_every_command_rq_uses():
    # A bare connection: redis-py's COMMAND reply parser cannot take nils.
    conn = redis.Connection(host="127.0.0.1", port=PORT, socket_timeout=10)
    conn.send_command("COMMAND", "INFO", *USED)
    infos = conn.read_response()
    conn.disconnect()
    missing = [name for name, info in zip(USED, infos) if info is None]
    expect_eq(missing, [], "commands the server lacks (COMMAND INFO replies nil)")


@case(timeout=60)
def enqueue_run_burst_worker_fetch_result():
    q = Queue("e2e", connection=r)
    jobs = [q.enqueue(rq_jobs.add, i, 100) for i in range(5)]
    kw = q.enqueue(rq_jobs.describe, color="blue", size=3, result_ttl=600)
    expect_eq(len(q), 6, "queued jobs")
    expect_eq(jobs[0].get_status(), JobStatus.QUEUED, "status before the worker")
    out = burst_worker("e2e")
    assert "Job OK" in out or "Successfully completed" in out, out
    expect_eq(len(q), 0, "queued jobs after the burst")
    for i, job in enumerate(jobs):
        # A fresh Job from Redis, as another process would see it.
        fetched = Job.fetch(job.id, connection=r)
        expect_eq(fetched.get_status(), JobStatus.FINISHED, "status")
        expect_eq(fetched.return_value(), i + 100, "return_value")
        expect_eq(fetched.result, i + 100, "result")
        latest = fetched.latest_result()
        expect_eq(latest.type, Result.Type.SUCCESSFUL, "result type")
    expect_eq(Job.fetch(kw.id, connection=r).return_value(), {"kwargs": {"color": "blue", "size": 3},
                                                               "keys": ["color", "size"]}, "kwargs job")
    # The results live in a stream per job.
    expect_eq(r.type("rq:results:" + jobs[0].id), b"stream", "results key type")
    expect_eq(r.xlen("rq:results:" + jobs[0].id), 1, "results stream length")
    expect_eq(len(FinishedJobRegistry(queue=q)), 6, "finished registry")
    expect_eq(Worker.all(connection=r), [], "workers left registered after the burst")


@case(timeout=60)
def failures_timeouts_and_dependencies():
    q = Queue("e2e-fail", connection=r)
    bad = q.enqueue(rq_jobs.fail, "no luck here")
    slow = q.enqueue(rq_jobs.slow, 30, job_timeout=1)
    first = q.enqueue(rq_jobs.add, 1, 2)
    second = q.enqueue(rq_jobs.after, "dep", depends_on=first)
    expect_eq(second.get_status(), JobStatus.DEFERRED, "dependent job before its dependency ran")
    burst_worker("e2e-fail")
    bad = Job.fetch(bad.id, connection=r)
    expect_eq(bad.get_status(), JobStatus.FAILED, "failing job")
    assert "ValueError: no luck here" in bad.exc_info, bad.exc_info
    expect_eq(bad.latest_result().type, Result.Type.FAILED, "failed result type")
    slow = Job.fetch(slow.id, connection=r)
    expect_eq(slow.get_status(), JobStatus.FAILED, "timed-out job")
    assert "JobTimeoutException" in slow.exc_info, slow.exc_info
    failed = FailedJobRegistry(queue=q)
    expect_eq(sorted(failed.get_job_ids()), sorted([bad.id, slow.id]), "failed registry")
    expect_eq(Job.fetch(second.id, connection=r).return_value(), "after dep", "dependent job")
    # Requeue the failed one and run it in-process with a SimpleWorker.
    failed.requeue(bad.id)
    expect_eq(len(q), 1, "requeued")
    SimpleWorker([q], connection=r).work(burst=True, logging_level="CRITICAL")
    bad = Job.fetch(bad.id, connection=r)
    expect_eq(bad.get_status(), JobStatus.FAILED, "failing job, again")
    expect_eq(len(bad.results()), 2, "two results for the job, newest first")


main("rq")
