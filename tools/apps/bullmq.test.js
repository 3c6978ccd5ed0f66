// BullMQ against the server: a Queue and Workers processing jobs to
// completion with their return values, delayed jobs, retries with backoff,
// failures, priorities, progress events (QueueEvents reads the events
// stream with XREAD BLOCK) and pause/resume. BullMQ runs nearly everything
// as Lua scripts (EVALSHA), on lists, sorted sets, hashes and streams.
'use strict';

const assert = require('node:assert/strict');
const { Queue, Worker, QueueEvents, Job } = require('bullmq');
const Redis = require('ioredis');
const path = require('node:path');
const { port, test, run, sleep, waitFor, missingCommands, luaCommands } = require('./harness');

// Workers and QueueEvents block (BZPOPMIN, XREAD BLOCK): BullMQ wants
// maxRetriesPerRequest null for them.
const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
const closers = [];
// Errors BullMQ reports in the background (a Worker's failed EVALSHA, a
// QueueEvents' failed XREAD): printed once each, in one line.
const reported = new Set();
function track(x) {
  closers.push(x);
  x.on('error', (err) => {
    const line = String(err && err.message).split('\n')[0];
    if (!reported.has(line)) {
      reported.add(line);
      console.log(`bullmq: background error: ${line}`);
    }
  });
  return x;
}
async function closeAll() {
  while (closers.length) await closers.pop().close();
}

let n = 0;
// fresh returns a new queue (with its QueueEvents, ready) under a new name.
async function fresh() {
  const name = `e2e-${process.pid}-${++n}`;
  const queue = track(new Queue(name, { connection }));
  const events = track(new QueueEvents(name, { connection }));
  await queue.waitUntilReady();
  await events.waitUntilReady();
  return { name, queue, events };
}

// The commands BullMQ sends: those its Lua scripts call, and the ones its
// Queue, Worker and QueueEvents send themselves.
const used = [
  ...luaCommands(path.join(path.dirname(require.resolve('bullmq')), 'commands')),
  'EVALSHA', 'EVAL', 'SCRIPT', 'XREAD', 'BZPOPMIN', 'INFO', 'CLIENT', 'HELLO',
];
const direct = new Redis({ host: '127.0.0.1', port });
closers.push({ close: async () => direct.disconnect() });

test('the server has every command BullMQ uses', async () => {
  const missing = await missingCommands(direct, used);
  assert.deepEqual(missing, [], `the server lacks ${missing.join(' ')} (COMMAND INFO replies nil); ` +
    `BullMQ uses ${used.length} commands`);
});

test('jobs run to completion and their return values come back', async () => {
  const { name, queue, events } = await fresh();
  const seen = [];
  const worker = track(new Worker(name, async (job) => {
    seen.push(job.id);
    return { sum: job.data.a + job.data.b, name: job.name };
  }, { connection, concurrency: 3 }));
  await worker.waitUntilReady();
  const jobs = await queue.addBulk(
    Array.from({ length: 10 }, (_, i) => ({ name: `add${i}`, data: { a: i, b: 100 } })));
  const results = await Promise.all(jobs.map((j) => j.waitUntilFinished(events, 10000)));
  assert.deepEqual(results, jobs.map((_, i) => ({ sum: i + 100, name: `add${i}` })));
  assert.equal(new Set(seen).size, 10);
  // Read back from Redis, as a separate process would.
  const stored = await Job.fromId(queue, jobs[3].id);
  assert.deepEqual(stored.returnvalue, { sum: 103, name: 'add3' });
  assert.equal(await stored.getState(), 'completed');
  assert.ok(stored.finishedOn >= stored.processedOn);
  assert.equal(stored.attemptsMade, 1);
  const counts = await queue.getJobCounts('completed', 'waiting', 'active', 'failed', 'delayed');
  assert.deepEqual(counts, { completed: 10, waiting: 0, active: 0, failed: 0, delayed: 0 });
  assert.equal((await queue.getCompleted()).length, 10);
  await worker.close();
});

test('a delayed job waits, then runs', async () => {
  const { name, queue, events } = await fresh();
  let ranAt = 0;
  const worker = track(new Worker(name, async (job) => {
    ranAt = Date.now();
    return `late ${job.data.x}`;
  }, { connection }));
  await worker.waitUntilReady();
  const addedAt = Date.now();
  const job = await queue.add('later', { x: 7 }, { delay: 1000 });
  assert.equal(await job.getState(), 'delayed');
  assert.equal(await queue.getDelayedCount(), 1);
  const now = await queue.add('now', { x: 1 });
  assert.equal(await now.waitUntilFinished(events, 5000), 'late 1');
  assert.equal(await job.getState(), 'delayed', 'the delayed job ran early');
  assert.equal(await job.waitUntilFinished(events, 10000), 'late 7');
  assert.ok(ranAt - addedAt >= 950, `ran ${ranAt - addedAt} ms after being added`);
  assert.equal(await job.getState(), 'completed');
  await worker.close();
}, 20000);

test('retries with backoff, then failure with the reason', async () => {
  const { name, queue, events } = await fresh();
  const attempts = {};
  const worker = track(new Worker(name, async (job) => {
    attempts[job.name] = (attempts[job.name] || 0) + 1;
    if (job.name === 'flaky' && attempts.flaky < 3) throw new Error(`flaky attempt ${attempts.flaky}`);
    if (job.name === 'broken') throw new Error('always broken');
    return 'done';
  }, { connection }));
  await worker.waitUntilReady();
  const flaky = await queue.add('flaky', {}, { attempts: 3, backoff: { type: 'fixed', delay: 100 } });
  const broken = await queue.add('broken', {}, { attempts: 2 });
  assert.equal(await flaky.waitUntilFinished(events, 10000), 'done');
  await assert.rejects(broken.waitUntilFinished(events, 10000), { message: 'always broken' });
  assert.deepEqual(attempts, { flaky: 3, broken: 2 });
  const f = await Job.fromId(queue, flaky.id);
  assert.equal(f.attemptsMade, 3);
  const b = await Job.fromId(queue, broken.id);
  assert.equal(await b.getState(), 'failed');
  assert.equal(b.failedReason, 'always broken');
  assert.equal(b.stacktrace.length, 2);
  assert.equal(await queue.getFailedCount(), 1);
  await worker.close();
}, 20000);

test('priorities: lower number first', async () => {
  const { name, queue, events } = await fresh();
  const order = [];
  const jobs = [];
  for (const [label, priority] of [['low', 10], ['high', 1], ['mid', 5], ['plain', 0]]) {
    jobs.push(await queue.add(label, {}, priority ? { priority } : {}));
  }
  assert.equal(await queue.getPrioritizedCount(), 3);
  const worker = track(new Worker(name, async (job) => { order.push(job.name); }, { connection, concurrency: 1 }));
  await Promise.all(jobs.map((j) => j.waitUntilFinished(events, 10000)));
  // Jobs without a priority come before prioritized ones.
  assert.deepEqual(order, ['plain', 'high', 'mid', 'low']);
  await worker.close();
});

test('progress events and pause/resume', async () => {
  const { name, queue, events } = await fresh();
  const progress = [];
  events.on('progress', ({ jobId, data }) => progress.push([jobId, data]));
  const worker = track(new Worker(name, async (job) => {
    for (const p of [25, 50, 100]) await job.updateProgress(p);
    await job.log('halfway there');
    return job.progress;
  }, { connection }));
  await worker.waitUntilReady();
  await queue.pause();
  assert.equal(await queue.isPaused(), true);
  const job = await queue.add('p', {});
  await sleep(300);
  assert.equal(await job.getState(), 'waiting', 'a job ran while the queue was paused');
  await queue.resume();
  assert.equal(await job.waitUntilFinished(events, 10000), 100);
  await waitFor('3 progress events', async () => progress.length === 3);
  assert.deepEqual(progress, [[job.id, 25], [job.id, 50], [job.id, 100]]);
  const { logs, count } = await queue.getJobLogs(job.id);
  assert.equal(count, 1);
  assert.deepEqual(logs, ['halfway there']);
  await worker.close();
});

test('obliterate removes the queue', async () => {
  const { name, queue } = await fresh();
  await queue.addBulk([{ name: 'a', data: {} }, { name: 'b', data: {} }]);
  assert.equal(await queue.count(), 2);
  assert.ok((await direct.keys(`bull:${name}:*`)).length > 0);
  await queue.obliterate({ force: true });
  assert.deepEqual(await direct.keys(`bull:${name}:*`), []);
});

run('bullmq', closeAll);
