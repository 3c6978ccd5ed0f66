// ioredis against the server: plain commands, pipelines, MULTI/EXEC with
// WATCH, pub/sub, blocking pops, SCAN streams and defineCommand (Lua
// scripts sent with EVALSHA, falling back to EVAL on NOSCRIPT).
'use strict';

const assert = require('node:assert/strict');
const Redis = require('ioredis');
const { port, test, run, waitFor } = require('./harness');

// commandStats returns INFO commandstats as {name: {calls, failed_calls}}.
async function commandStats(c) {
  const stats = {};
  for (const line of (await c.info('commandstats')).split('\r\n')) {
    const m = /^cmdstat_([^:]+):(.*)$/.exec(line);
    if (!m) continue;
    const fields = {};
    for (const kv of m[2].split(',')) {
      const [k, v] = kv.split('=');
      fields[k] = Number(v);
    }
    stats[m[1]] = fields;
  }
  return stats;
}

// suite registers every case for one protocol (ioredis 6 speaks RESP3 by
// default, sending HELLO 3; protocol 2 is the RESP2 of older clients).
function suite(protocol) {
  const t = (name, fn, ms) => test(`RESP${protocol}: ${name}`, fn, ms);
  const clients = [];
  const client = (opts = {}) => {
    const c = new Redis({ port, host: '127.0.0.1', protocol, maxRetriesPerRequest: 1, ...opts });
    clients.push(c);
    return c;
  };
  const redis = client();

  t('connects and passes the ready check (INFO)', async () => {
    await redis.flushall();
    assert.equal(redis.status, 'ready');
    assert.equal(await redis.ping(), 'PONG');
    const info = await redis.info('server');
    assert.match(info, /redis_version:\d+\.\d+\.\d+/);
    // The connection speaks the protocol asked for (HELLO 3 for RESP3).
    assert.match(await redis.client('INFO'), new RegExp(` resp=${protocol}( |$)`, "m"));
  });

  t('strings, counters, expiry', async () => {
    assert.equal(await redis.set('s', 'hello'), 'OK');
    assert.equal(await redis.get('s'), 'hello');
    assert.equal(await redis.append('s', ' world'), 11);
    assert.equal(await redis.getrange('s', 0, 4), 'hello');
    assert.equal(await redis.set('s', 'x', 'NX'), null);
    assert.equal(await redis.incr('n'), 1);
    assert.equal(await redis.incrby('n', 41), 42);
    assert.equal(await redis.incrbyfloat('n', '0.5'), '42.5');
    assert.deepEqual(await redis.mget('s', 'missing', 'n'), ['hello world', null, '42.5']);
    assert.equal(await redis.set('t', 'v', 'EX', 100), 'OK');
    const ttl = await redis.ttl('t');
    assert.ok(ttl > 90 && ttl <= 100, `ttl ${ttl}`);
    assert.equal(await redis.persist('t'), 1);
    assert.equal(await redis.ttl('t'), -1);
    assert.equal(await redis.set('gone', 'v', 'PX', 30), 'OK');
    await waitFor('PX expiry', async () => (await redis.exists('gone')) === 0, 2000);
    assert.equal(await redis.del('s', 'n', 't', 'missing'), 3);
    await redis.set('str', 'abc');
    await assert.rejects(redis.incr('str'), { message: 'ERR value is not an integer or out of range' });
    const buf = Buffer.from([0, 255, 1, 128]);
    await redis.set('bin', buf);
    assert.deepEqual(await redis.getBuffer('bin'), buf);
  });

  t('hashes, lists, sets, sorted sets, types', async () => {
    assert.equal(await redis.hset('h', { a: '1', b: '2' }), 2);
    assert.deepEqual(await redis.hgetall('h'), { a: '1', b: '2' });
    assert.equal(await redis.hincrby('h', 'a', 9), 10);
    assert.deepEqual(await redis.hmget('h', 'a', 'zz'), ['10', null]);
    assert.equal(await redis.rpush('l', 'a', 'b', 'c'), 3);
    assert.deepEqual(await redis.lrange('l', 0, -1), ['a', 'b', 'c']);
    assert.equal(await redis.lpop('l'), 'a');
    assert.equal(await redis.sadd('set', 'x', 'y', 'x'), 2);
    assert.deepEqual((await redis.smembers('set')).sort(), ['x', 'y']);
    assert.equal(await redis.sismember('set', 'y'), 1);
    assert.equal(await redis.zadd('z', 3, 'c', 1, 'a', 2, 'b'), 3);
    assert.deepEqual(await redis.zrange('z', 0, -1, 'WITHSCORES'), ['a', '1', 'b', '2', 'c', '3']);
    assert.deepEqual(await redis.zrangebyscore('z', '(1', '+inf'), ['b', 'c']);
    assert.equal(await redis.type('h'), 'hash');
    assert.equal(await redis.type('z'), 'zset');
    await assert.rejects(redis.lpush('h', 'x'),
      { message: 'WRONGTYPE Operation against a key holding the wrong kind of value' });
  });

  t('pipeline: replies in order, an error stays in its slot', async () => {
    const res = await redis.pipeline()
      .set('p', '1')
      .incr('p')
      .hset('p', 'f', 'v') // wrong type
      .get('p')
      .exec();
    assert.equal(res.length, 4);
    assert.deepEqual(res[0], [null, 'OK']);
    assert.deepEqual(res[1], [null, 2]);
    assert.match(res[2][0].message, /^WRONGTYPE /);
    assert.deepEqual(res[3], [null, '2']);
    // A long pipeline: 2000 commands in one write.
    const p = redis.pipeline();
    for (let i = 0; i < 2000; i++) p.rpush('biglist', String(i));
    const big = await p.exec();
    assert.equal(big.length, 2000);
    assert.deepEqual(big[1999], [null, 2000]);
    assert.equal(await redis.llen('biglist'), 2000);
  });

  t('MULTI/EXEC, EXECABORT, WATCH conflict', async () => {
    const res = await redis.multi().set('m', '10').incrby('m', 5).get('m').exec();
    assert.deepEqual(res, [[null, 'OK'], [null, 15], [null, '15']]);

    // A command error at queue time aborts the whole transaction.
    const tx = redis.multi();
    tx.set('m', '99');
    tx.call('nosuchcommand');
    await assert.rejects(tx.exec(), (err) => {
      assert.match(err.message, /^EXECABORT Transaction discarded because of previous errors\./);
      return true;
    });
    assert.equal(await redis.get('m'), '15');

    // WATCH: another client changes the key, EXEC returns null and nothing runs.
    const other = client();
    await redis.watch('m');
    await other.set('m', 'changed');
    const aborted = await redis.multi().set('m', 'mine').exec();
    assert.equal(aborted, null);
    assert.equal(await redis.get('m'), 'changed');
    // Without interference the same transaction commits.
    await redis.watch('m');
    assert.deepEqual(await redis.multi().set('m', 'mine').exec(), [[null, 'OK']]);
    assert.equal(await redis.get('m'), 'mine');
    other.disconnect();
  });

  t('pub/sub: SUBSCRIBE, PSUBSCRIBE, PUBLISH counts, UNSUBSCRIBE', async () => {
    const sub = client();
    const got = [];
    sub.on('message', (channel, message) => got.push(['message', channel, message]));
    sub.on('pmessage', (pattern, channel, message) => got.push(['pmessage', pattern, channel, message]));
    assert.equal(await sub.subscribe('news', 'sport'), 2);
    assert.equal(await sub.psubscribe('n*'), 3);
    // PING works in subscriber mode: RESP2 replies with a pong push-style
    // array, RESP3 with a plain PONG.
    assert.deepEqual(await sub.ping(), protocol === 2 ? ['pong', ''] : 'PONG');
    assert.deepEqual(await redis.pubsub('NUMSUB', 'news', 'nobody'), ['news', 1, 'nobody', 0]);
    assert.equal(await redis.pubsub('NUMPAT'), 1);
    assert.equal(await redis.publish('news', 'hello'), 2); // channel + pattern
    assert.equal(await redis.publish('sport', 'goal'), 1);
    assert.equal(await redis.publish('nothing', 'x'), 1); // pattern n*
    assert.equal(await redis.publish('other', 'x'), 0);
    await waitFor('4 messages', async () => got.length === 4);
    assert.deepEqual(got, [
      ['message', 'news', 'hello'],
      ['pmessage', 'n*', 'news', 'hello'],
      ['message', 'sport', 'goal'],
      ['pmessage', 'n*', 'nothing', 'x'],
    ]);
    await sub.unsubscribe('news');
    // (ioredis 6 never resolves a PUNSUBSCRIBE without arguments.)
    await sub.punsubscribe('n*');
    assert.equal(await redis.publish('news', 'again'), 0);
    assert.equal(await redis.publish('sport', 'again'), 1);
    await waitFor('5th message', async () => got.length === 5);
    assert.deepEqual(got[4], ['message', 'sport', 'again']);
    await sub.unsubscribe();
    // Out of subscriber mode, ordinary commands work again.
    assert.equal(await sub.set('after-sub', '1'), 'OK');
    sub.disconnect();
  });

  t('blocking pop woken by another client', async () => {
    const blocker = client();
    const popped = blocker.brpop('queue', 5);
    await waitFor('the client to block', async () => /blocked_clients:1/.test(await redis.info('clients')));
    assert.equal(await redis.lpush('queue', 'job1'), 1);
    assert.deepEqual(await popped, ['queue', 'job1']);
    assert.equal(await blocker.brpop('queue', 0.1), null); // times out
    blocker.disconnect();
  });

  t('scanStream visits every key once', async () => {
    const p = redis.pipeline();
    for (let i = 0; i < 500; i++) p.set(`scan:${i}`, i);
    await p.exec();
    const seen = new Set();
    await new Promise((resolve, reject) => {
      const stream = redis.scanStream({ match: 'scan:*', count: 50 });
      stream.on('data', (keys) => keys.forEach((k) => seen.add(k)));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    assert.equal(seen.size, 500);
    const fields = {};
    for (let i = 0; i < 300; i++) fields[`f${i}`] = i;
    await redis.hset('bighash', fields);
    const hseen = new Map();
    await new Promise((resolve, reject) => {
      const stream = redis.hscanStream('bighash', { count: 40 });
      stream.on('data', (kv) => { for (let i = 0; i < kv.length; i += 2) hseen.set(kv[i], kv[i + 1]); });
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    assert.equal(hseen.size, 300);
    assert.equal(hseen.get('f123'), '123');
  });

  t('defineCommand: EVAL first, then EVALSHA, NOSCRIPT falls back after SCRIPT FLUSH', async () => {
    const lua = `
      local current = tonumber(redis.call('GET', KEYS[1]) or '0')
      local limit = tonumber(ARGV[2])
      if current + tonumber(ARGV[1]) > limit then
        return redis.error_reply('LIMIT reached ' .. current)
      end
      local n = redis.call('INCRBY', KEYS[1], ARGV[1])
      return {n, KEYS[1], ARGV[1]}`;
    const c = client();
    c.defineCommand('cappedIncr', { numberOfKeys: 1, lua });
    const sha = require('node:crypto').createHash('sha1').update(lua).digest('hex');
    await c.config('RESETSTAT');

    assert.deepEqual(await c.cappedIncr('cap', 3, 10), [3, 'cap', '3']); // sent as EVAL
    assert.deepEqual(await c.script('EXISTS', sha), [1]); // EVAL cached it
    assert.deepEqual(await c.cappedIncr('cap', 4, 10), [7, 'cap', '4']); // EVALSHA
    await assert.rejects(c.cappedIncr('cap', 4, 10), { message: 'LIMIT reached 7' });
    let stats = await commandStats(c);
    assert.equal(stats.eval.calls, 1, JSON.stringify(stats.eval));
    assert.equal(stats.evalsha.calls, 2, JSON.stringify(stats.evalsha));

    // Another client flushes the script cache: the next EVALSHA gets
    // NOSCRIPT, and ioredis retries with EVAL.
    assert.equal(await redis.script('FLUSH'), 'OK');
    assert.deepEqual(await c.script('EXISTS', sha), [0]);
    assert.deepEqual(await c.cappedIncr('cap', 1, 10), [8, 'cap', '1']);
    stats = await commandStats(c);
    assert.equal(stats.evalsha.calls, 3);
    assert.equal(stats.evalsha.failed_calls, 2, 'LIMIT error and NOSCRIPT are failed calls');
    assert.equal(stats.eval.calls, 2);
    assert.deepEqual(await c.script('EXISTS', sha), [1]);

    // In a pipeline (after another flush: ioredis resends on NOSCRIPT) and
    // in MULTI (where it cannot, so the script must be loaded).
    await redis.script('FLUSH');
    // The resent scripts run after the rest of the pipeline.
    const res = await c.pipeline().cappedIncr('cap', 1, 10).get('cap').cappedIncr('cap', 5, 10).exec();
    assert.deepEqual(res[0], [null, [9, 'cap', '1']]);
    assert.deepEqual(res[1], [null, '8']);
    assert.equal(res[2][0].message, 'LIMIT reached 9');
    assert.equal(await c.get('cap'), '9');
    const tx = await c.multi().cappedIncr('cap', 1, 10).get('cap').exec();
    assert.deepEqual(tx, [[null, [10, 'cap', '1']], [null, '10']]);

    // A read-only script with EVAL_RO through a plain call, and script errors.
    assert.equal(await c.call('EVAL_RO', "return redis.call('GET', KEYS[1])", 1, 'cap'), '10');
    await assert.rejects(c.eval("return redis.call('SET', 'x')", 0), (err) => {
      assert.match(err.message, /^ERR Wrong number of args calling Redis command from script/);
      return true;
    });
    await assert.rejects(c.evalsha('0000000000000000000000000000000000000000', 0),
      { message: 'NOSCRIPT No matching script. Please use EVAL.' });
    c.disconnect();
  });

  t('FUNCTION LOAD and FCALL', async () => {
    const lib = `#!lua name=e2elib
  redis.register_function('e2e_hello', function(keys, args)
    return 'hello ' .. args[1]
  end)
  redis.register_function{function_name='e2e_len', callback=function(keys, args)
    return redis.call('STRLEN', keys[1])
  end, flags={'no-writes'}}`;
    await redis.function('FLUSH');
    assert.equal(await redis.function('LOAD', lib), 'e2elib');
    assert.equal(await redis.fcall('e2e_hello', 0, 'world'), 'hello world');
    await redis.set('fkey', 'abcdef');
    assert.equal(await redis.call('FCALL_RO', 'e2e_len', 1, 'fkey'), 6);
    await assert.rejects(redis.function('LOAD', lib), { message: "ERR Library 'e2elib' already exists" });
    assert.equal(await redis.function('DELETE', 'e2elib'), 'OK');
    await assert.rejects(redis.fcall('e2e_hello', 0, 'x'), { message: 'ERR Function not found' });
  });

  t('auto-pipelining and keyPrefix', async () => {
    const auto = client({ enableAutoPipelining: true, keyPrefix: 'app:' });
    const replies = await Promise.all(Array.from({ length: 500 }, () => auto.incr('hits')));
    assert.deepEqual(replies, Array.from({ length: 500 }, (_, i) => i + 1));
    assert.equal(await redis.get('app:hits'), '500');
    assert.equal(await auto.exists('hits'), 1);
    assert.equal(await redis.exists('hits'), 0);
  });

  t('disconnect', async () => {
    clients.forEach((c) => c.disconnect());
  });
}

suite(3);
suite(2);
run('ioredis');
