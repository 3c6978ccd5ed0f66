// A tiny test runner shared by the Node app tests: each case runs with its
// own timeout, so a hang fails the case instead of blocking CI, and the
// process exits non-zero when any case failed. The server's port comes
// from REDIS_PORT (set by tools/apps-e2e.sh).
'use strict';

const port = Number(process.env.REDIS_PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('REDIS_PORT is not set: run these tests through tools/apps-e2e.sh');
  process.exit(2);
}

const cases = [];

/** test registers a named case; fn is an async function. */
function test(name, fn, timeoutMs = 15000) {
  cases.push({ name, fn, timeoutMs });
}

/**
 * run runs every case in order, then cleanup (an optional async function,
 * given 5 s), and exits with the outcome.
 */
async function run(suite, cleanup) {
  let failed = 0;
  const only = process.env.APPS_ONLY_CASE;
  for (const c of cases) {
    if (only && !c.name.includes(only)) continue;
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${c.timeoutMs} ms`)), c.timeoutMs);
    });
    const started = Date.now();
    try {
      await Promise.race([c.fn(), timeout]);
      console.log(`${suite}: ok: ${c.name} (${Date.now() - started} ms)`);
    } catch (err) {
      failed++;
      console.log(`${suite}: FAIL: ${c.name}: ${err && err.stack ? err.stack : err}`);
    } finally {
      clearTimeout(timer);
    }
  }
  if (cleanup) {
    let timer;
    await Promise.race([
      cleanup().catch((err) => console.log(`${suite}: cleanup: ${err}`)),
      new Promise((resolve) => { timer = setTimeout(resolve, 5000); }),
    ]);
    clearTimeout(timer);
  }
  if (failed) console.log(`${suite}: ${failed} case(s) failed`);
  // Exit explicitly: a client left connected by a failed case must not keep
  // the process alive.
  process.exit(failed ? 1 : 0);
}

/** sleep resolves after ms milliseconds. */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** waitFor polls cond (async) every 20 ms until it returns true. */
async function waitFor(what, cond, timeoutMs = 5000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * missingCommands returns the names, of those given, that the server does
 * not know: COMMAND INFO replies nil for them. An application that fails on
 * this server says so first, with the exact commands.
 */
async function missingCommands(client, names) {
  const uniq = [...new Set(names.map((n) => n.toLowerCase()))].sort();
  const infos = await client.call('COMMAND', 'INFO', ...uniq);
  return uniq.filter((_, i) => infos[i] === null);
}

/**
 * luaCommands returns the command names the Lua files in dir call with a
 * literal name (redis.call / redis.pcall / BullMQ's rcall), read from the
 * files themselves.
 */
function luaCommands(dir) {
  const fs = require('node:fs');
  const path = require('node:path');
  const names = new Set();
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.lua')) {
        const src = fs.readFileSync(p, 'utf8');
        for (const m of src.matchAll(/\b(?:rcall|redis\.p?call)\(\s*["']([A-Za-z]+)["']/g)) {
          names.add(m[1].toUpperCase());
        }
      }
    }
  };
  walk(dir);
  return [...names].sort();
}

module.exports = { port, test, run, sleep, waitFor, missingCommands, luaCommands };
