// The aggregation hot paths of one build, or of two builds side by side:
//   node bench/micro/aggregations.mjs [rounds]                    # dist/ (npm run build first)
//   node bench/micro/aggregations.mjs [rounds] <dist> [<dist>]    # builds by folder, compared
// A folder to compare must sit inside the checkout (e.g. a copy of main's dist/ at
// .bench-before/dist) so that its imports find node_modules. With two builds every round runs
// each case on both, in alternating order, so a busy shared machine weighs on both alike.
//
// - check+encode: a pageviews-shaped flush (count + distinct updates of 500 events) checked as
//   the writer checks each update off a tuple (invalidUpdate), grouped by FlushBatch and
//   encoded into the flush script's records (apply-script.ts encodeGroups);
// - memory: the same updates applied to the in-process store;
// - script: the same flush applied by RedisViewStore.applyGroups to a private redis-server, the
//   script's own time in Redis per event (INFO commandstats; a store per build, one server);
// - aggregate: BatchAggregate.addEvent of 200 k events into a count and a distinct view (the
//   batch runner's reduce loop), and write: writeCells of both into Redis (wall time).
// In-process cases are this thread's CPU time (process.cpuUsage), in ns per event; each line
// gives the minimum and the median over the rounds. CASES=<name,...> runs only those cases.
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const rounds = Number(process.argv[2] ?? 7);
const folders = process.argv.slice(3);
const dists = folders.length > 0 ? folders.map((f) => pathToFileURL(`${resolve(f)}/`)) : [new URL('../../dist/', import.meta.url)];
const names = folders.length > 0 ? folders : ['dist'];

const HOUR_MS = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 3 * HOUR_MS;
// A deterministic pageviews-like stream: 300 URLs (skewed), 5 000 visitors, 3 hours.
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const events = Array.from({ length: 200_000 }, (_, i) => ({
  url: `/page/${Math.floor(rand() * rand() * 300)}`, visitor: `v${Math.floor(rand() * 5000)}`, ts: T0 + Math.floor((i / 200_000) * 3 * HOUR_MS),
}));
const updates = [];
for (let i = 0; i < 500; i++) {
  const e = events[i * 37];
  const bucket = Math.floor(e.ts / HOUR_MS) * HOUR_MS;
  updates.push({ view: 'pageviews', key: e.url, bucket, time: e.ts, id: `k${i}`, n: 1 });
  updates.push({ view: 'uniques', key: e.url, bucket, time: e.ts, id: `k${i}`, member: e.visitor });
}

/** CPU ns per call of fn, over reps calls. */
function cpu(fn, reps) {
  const t0 = process.cpuUsage();
  for (let r = 0; r < reps; r++) fn();
  const d = process.cpuUsage(t0);
  return ((d.user + d.system) * 1000) / reps;
}

async function freePort() {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => done(p));
    });
  });
}

async function startRedis() {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (const deadline = Date.now() + 10_000; ; ) {
    const up = await new Promise((done) => connect(port, '127.0.0.1').once('connect', function () { this.destroy(); done(true); }).once('error', () => done(false)));
    if (up) return { port, proc };
    if (Date.now() > deadline) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One build's cases. */
async function cases(dist, port, tag) {
  const load = (m) => import(new URL(m, dist).href);
  const { FlushBatch, invalidUpdate } = await load('speed/flush-batch.js');
  // A build without the kinds registry (main before it) checks updates against the views themselves.
  const aggregatorOf = (await load('views/index.js')).aggregatorOf ?? (() => null);
  const { encodeGroups } = await load('speed/apply-script.js');
  const { MemoryViewStore } = await load('speed/memory-store.js');
  const { RedisViewStore } = await load('speed/redis-store.js');
  const { BatchAggregate } = await load('batch/runner/aggregate.js');
  const { writeCells } = await load('batch/runner/write.js');
  const { defineView } = await load('views/view.js');
  const pv = defineView({ name: 'pageviews', aggregation: { kind: 'count' }, keyOf: (e) => e.url, timeOf: (e) => e.ts });
  const uv = defineView({ name: 'uniques', aggregation: { kind: 'distinct', field: 'visitor' }, keyOf: (e) => e.url, timeOf: (e) => e.ts });
  const views = [pv, uv];
  const byName = new Map(views.map((v) => [v.name, v]));
  // What the writer's check looks views up in: { view, agg } now, the view before (this fits both).
  const checked = new Map(views.map((v) => [v.name, { ...v, view: v, agg: aggregatorOf(v.aggregation) }]));
  const batchOf = () => {
    const b = new FlushBatch();
    for (const u of updates) {
      if (invalidUpdate(u, checked) !== null) throw new Error('bench update refused');
      b.add(u, byName.get(u.view));
    }
    return b;
  };
  const store = RedisViewStore.open(`redis://127.0.0.1:${port}`, { namespace: `bench-${tag}` });
  await store.ready();
  let sink = 0;
  const aggregate = () => {
    const a = new BatchAggregate(pv.aggregation), d = new BatchAggregate(uv.aggregation);
    for (const e of events) {
      a.addEvent(pv, e);
      d.addEvent(uv, e);
    }
    return [a, d];
  };
  const target = { redis: { host: '127.0.0.1', port }, namespace: `bench-${tag}`, batchId: 1 };
  return {
    close: () => store.close(),
    'check+encode': async () => cpu(() => {
      const b = batchOf();
      sink += encodeGroups(b.groups.values(), byName, 'bench', b.late, Date.now()).cells.length;
    }, 200) / 500,
    memory: async () => cpu(() => void new MemoryViewStore().apply(updates, views), 100) / 500,
    script: async () => {
      await store.redis.config('RESETSTAT');
      for (let i = 0; i < 50; i++) {
        const b = batchOf();
        await store.applyGroups(b.groups, b.size, views, b.late);
      }
      const usec = /cmdstat_evalsha:calls=\d+,usec=(\d+)/.exec(await store.redis.info('commandstats'));
      return (Number(usec?.[1] ?? NaN) * 1000) / 50 / 500;
    },
    aggregate: async () => cpu(() => void (sink += aggregate()[0].size), 1) / events.length,
    write: async () => {
      const [a, d] = aggregate();
      const t0 = process.hrtime.bigint();
      await writeCells(target, pv, a, () => true);
      await writeCells(target, uv, d, () => true);
      return Number(process.hrtime.bigint() - t0) / events.length;
    },
  };
}

const redis = await startRedis();
const builds = [];
for (let i = 0; i < dists.length; i++) builds.push(await cases(dists[i], redis.port, i));
// CASES=script,aggregate runs only those.
const only = process.env.CASES?.split(',');
const caseNames = Object.keys(builds[0]).filter((k) => k !== 'close' && (only === undefined || only.includes(k)));
const out = builds.map(() => Object.fromEntries(caseNames.map((c) => [c, []])));
for (let r = -2; r < rounds; r++) {
  for (const c of caseNames) {
    const order = r % 2 === 0 ? builds.map((_, i) => i) : builds.map((_, i) => builds.length - 1 - i);
    for (const i of order) {
      const v = await builds[i][c]();
      if (r >= 0) out[i][c].push(v); // the first two rounds warm up
    }
  }
}
for (const b of builds) await b.close();
redis.proc.kill();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const c of caseNames) {
  const cells = out.map((o, i) => `${names[i]}: min ${Math.min(...o[c]).toFixed(0).padStart(5)} median ${median(o[c]).toFixed(0).padStart(5)}`);
  console.log(`${c.padEnd(13)} ${cells.join('   |   ')}  ns/event`);
}
