#!/usr/bin/env node
// The benchmark's own commands, beside `topo` (the original's `lein run -n/-r/-c/-g`):
//
//   node topologies/ysb/ysb.mjs setup  [--redis URL] [--seed S]                 the ad -> campaign table
//   node topologies/ysb/ysb.mjs events [--seed S] [--rate R] [--events N] [--start MS] [--skew] [--redis URL]
//        prints the events as JSON lines at R events/s (pipe into `topo produce - --format ysb`);
//        with --redis also writes the setup and the run's parameters for `check`
//   node topologies/ysb/ysb.mjs check  [--redis URL] [-t topologies/ysb.ts] [--seed --start --rate --events --skew] [--json]
//        recomputes every (campaign, window) count from the seed and compares with what
//        `topo query` answers (batch and realtime merged); exit 1 naming each window that differs
//   node topologies/ysb/ysb.mjs latency [--redis URL] [--json]
//        the benchmark's metric: per window, its last update minus its end; p50/p90/p99
//
// Without --redis: REDIS_URL, else redis://127.0.0.1:6379.
import { Redis } from 'ioredis';
import { parseArgs } from 'node:util';
import { emittedOf, expectedCounts, eventLine, setupOf, WINDOW_MS } from './gen.mjs';
import { readServed } from './served.mjs';
import { RUN_KEY, writeSetup } from './setup.mjs';
import { windowLatency } from './metric.mjs';

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    redis: { type: 'string' }, seed: { type: 'string' }, rate: { type: 'string' }, events: { type: 'string' },
    start: { type: 'string' }, skew: { type: 'boolean' }, json: { type: 'boolean' }, topology: { type: 'string', short: 't' },
    ads: { type: 'string' },
  },
});
const url = o.redis ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const command = positionals[0];
const int = (v, name) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) usage(`--${name} must be a number >= 0, got '${v}'`);
  return n;
};
function usage(msg) {
  process.stderr.write(`ysb: ${msg}\nusage: ysb.mjs setup|events|check|latency [options] (see the file's header, docs/ysb.md)\n`);
  process.exit(2);
}

async function withRedis(f) {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  r.on('error', () => {});
  try {
    await r.connect();
  } catch (err) {
    process.stderr.write(`ysb: cannot reach Redis at ${url.replace(/\/\/[^@]*@/, '//***@')}: ${err.message}\n`);
    process.exit(1);
  }
  try {
    return await f(r);
  } finally {
    r.disconnect();
  }
}

async function setup() {
  const seed = int(o.seed ?? 1, 'seed') >>> 0;
  await withRedis((r) => writeSetup(r, seed, o.ads));
  process.stderr.write(`ysb: setup for seed ${seed}: 100 campaigns x 10 ads in ${url}\n`);
}

async function events() {
  const seed = int(o.seed ?? 1, 'seed') >>> 0;
  const rate = int(o.rate ?? 10_000, 'rate');
  if (rate <= 0) usage('--rate must be > 0');
  const total = int(o.events ?? rate * 10, 'events');
  const run = { seed, start: o.start !== undefined ? int(o.start, 'start') : Date.now(), rate, skew: o.skew === true };
  if (o.redis !== undefined) {
    await withRedis(async (r) => {
      await writeSetup(r, seed, o.ads);
      await r.hset(RUN_KEY, { seed, start: run.start, rate, skew: String(run.skew), tasks: 1, 'next:0': total, generated: total });
    });
  }
  const s = setupOf(seed);
  // Paced: event n is written once its scheduled time has come, as the original's -r does.
  let n = 0;
  let buf = '';
  while (n < total) {
    const due = Math.min(total, Math.floor(((Date.now() - run.start) * rate) / 1000) + 1);
    for (; n < due; n++) buf += `${eventLine(s, run, n)}\n`;
    if (buf.length > 0) {
      const ok = process.stdout.write(buf);
      buf = '';
      if (!ok) await new Promise((res) => process.stdout.once('drain', res));
    }
    if (n < total) await new Promise((res) => setTimeout(res, 5));
  }
  process.stderr.write(`ysb: ${total} events, seed ${seed}, start ${run.start}, ${rate}/s${run.skew ? ', skewed' : ''}\n`);
}

async function check() {
  const topology = o.topology ?? 'topologies/ysb.ts';
  const run = await withRedis(async (r) => {
    const h = await r.hgetall(RUN_KEY);
    const pick = (k) => (o[k] !== undefined ? o[k] : h[k]);
    if (pick('seed') === undefined || pick('start') === undefined || pick('rate') === undefined) {
      process.stderr.write(`ysb check: no run recorded in ${RUN_KEY}; give --seed --start --rate --events\n`);
      process.exit(2);
    }
    return { seed: int(pick('seed'), 'seed') >>> 0, start: int(pick('start'), 'start'), rate: int(pick('rate'), 'rate'), skew: o.skew === true || (o.skew === undefined && h.skew === 'true'), emitted: o.events !== undefined ? { total: int(o.events, 'events'), next: [int(o.events, 'events')] } : emittedOf(h) };
  });
  const s = setupOf(run.seed);
  const expected = expectedCounts(s, run, run.emitted.next);
  let lo = Infinity;
  let hi = -Infinity;
  for (const m of expected.values()) for (const w of m.keys()) (lo = Math.min(lo, w)), (hi = Math.max(hi, w));
  if (lo === Infinity) lo = hi = Math.floor(run.start / WINDOW_MS) * WINDOW_MS;
  // One window either side: a count where none is due is a difference too.
  lo -= WINDOW_MS;
  hi += WINDOW_MS;
  const served = await readServed({ url, topology, campaigns: s.campaigns, from: lo, to: hi });
  const diffs = [];
  let windows = 0;
  let total = 0;
  const sources = { batch: 0, realtime: 0, missing: 0 };
  for (const c of s.campaigns) {
    const want = expected.get(c) ?? new Map();
    const got = served.get(c);
    for (let w = lo; w <= hi; w += WINDOW_MS) {
      const e = want.get(w) ?? 0;
      const g = got.get(w) ?? { value: 0, source: 'realtime' };
      if (e > 0) (windows++, (total += e), sources[g.source]++);
      // A missing window (a hole: neither layer holds it, e.g. the windows either side of
      // the run) differs only where views were due; it counted nothing.
      const missing = g.source === 'missing';
      if (missing ? e > 0 : g.value !== e) diffs.push({ campaign: c, window: new Date(w).toISOString(), expected: e, got: g.value, diff: (g.value ?? 0) - e, source: g.source });
    }
  }
  const summary = { events: run.emitted.total, views: total, windows, campaigns: s.campaigns.length, sources, differing: diffs.length, diffs: diffs.slice(0, 1000) };
  for (const d of diffs.slice(0, 1000)) {
    process.stderr.write(`DIFFER campaign ${d.campaign} window ${d.window} (${d.source}): expected ${d.expected}, got ${d.got} (${d.diff > 0 ? '+' : ''}${d.diff})\n`);
  }
  if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else process.stdout.write(`${diffs.length === 0 ? 'EXACT' : 'DIFFER'}: ${windows} windows of ${s.campaigns.length} campaigns (${sources.batch} from batch, ${sources.realtime} realtime${sources.missing ? `, ${sources.missing} missing` : ''}), ${total} views of ${run.emitted.total} events; ${diffs.length} window(s) differ\n`);
  process.exitCode = diffs.length === 0 ? 0 : 1;
}

async function latency() {
  const topology = (o.topology ?? 'ysb').replace(/^.*\/|\.ts$/g, '');
  const out = await withRedis((r) => windowLatency(r, topology));
  process.stdout.write(o.json ? `${JSON.stringify(out)}\n` : `${out.windows} windows: last update - window end p50 ${out.p50} ms, p90 ${out.p90} ms, p99 ${out.p99} ms, max ${out.max} ms\n`);
}

const commands = { setup, events, check, latency };
if (!(command in commands)) usage(command === undefined ? 'a command is needed' : `unknown command '${command}'`);
await commands[command]();
