// The aggregation hot paths, timed on the built dist/ (npm run build first):
//   node bench/micro/aggregations.mjs [rounds]
// - speed: a pageviews-shaped flush (count + distinct updates of 500 events) grouped by
//   FlushBatch and encoded into the script's records (apply-script.ts encodeGroups);
// - memory: the same updates applied to the in-process store;
// - flush: the same flush applied to a private redis-server (RedisViewStore.applyGroups: the
//   encoding, the packed EVALSHA and the script's run in Redis, wall time), and `script`, the
//   script's own time in Redis per event (INFO commandstats: less sensitive to a busy machine);
// - batch: BatchAggregate.addEvent of 200 k events into a count and a distinct view, then
//   writeCells of both into a private redis-server (the batch runner's reduce + write).
// Prints the minimum and median of `rounds` runs of each, in ns per event: this thread's CPU
// time (process.cpuUsage) for the in-process cases, so that other processes on a shared
// machine weigh less; wall time for the write, which waits on Redis. Plain loops, not the
// benchmark package: the batch case needs a Redis round trip.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { pathToFileURL } from 'node:url';
// DIST=<absolute folder> times another build (e.g. a copy of main's dist/ inside the checkout,
// so that its imports still find node_modules).
const dist = process.env.DIST ? pathToFileURL(`${process.env.DIST}/`) : new URL('../../dist/', import.meta.url);
const load = (m) => import(new URL(m, dist).href);
const { FlushBatch } = await load('speed/flush-batch.js');
const { encodeGroups } = await load('speed/apply-script.js');
const { MemoryViewStore } = await load('speed/memory-store.js');
const { BatchAggregate } = await load('batch/runner/aggregate.js');
const { writeCells } = await load('batch/runner/write.js');
const { RedisViewStore } = await load('speed/redis-store.js');
const { defineView, HOUR_MS } = await load('views/view.js');

const rounds = Number(process.argv[2] ?? 7);
const pv = defineView({ name: 'pageviews', aggregation: { kind: 'count' }, keyOf: (e) => e.url, timeOf: (e) => e.ts });
const uv = defineView({ name: 'uniques', aggregation: { kind: 'distinct', field: 'visitor' }, keyOf: (e) => e.url, timeOf: (e) => e.ts });
const views = [pv, uv];
const byName = new Map(views.map((v) => [v.name, v]));
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

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** CPU ns per call of fn, over reps calls. */
function time(fn, reps) {
  const t0 = process.cpuUsage();
  for (let r = 0; r < reps; r++) fn();
  const d = process.cpuUsage(t0);
  return ((d.user + d.system) * 1000) / reps;
}

let sink = 0;
const speed = () => {
  const b = new FlushBatch();
  for (const u of updates) b.add(u, byName.get(u.view));
  sink += encodeGroups(b.groups.values(), byName, 'bench', b.late, Date.now()).cells.length;
};
const memory = () => {
  const s = new MemoryViewStore();
  void s.apply(updates, views);
  sink += 1;
};
const aggregate = () => {
  const a = new BatchAggregate(pv.aggregation), d = new BatchAggregate(uv.aggregation);
  for (const e of events) {
    a.addEvent(pv, e);
    d.addEvent(uv, e);
  }
  sink += a.size + d.size;
  return [a, d];
};

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

const port = await freePort();
const redis = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 300));
const target = { redis: { host: '127.0.0.1', port }, namespace: 'bench', batchId: 1 };
const all = () => true;

for (let i = 0; i < 3; i++) speed(), memory(), aggregate(); // warm up
const store = RedisViewStore.open(`redis://127.0.0.1:${port}`, { namespace: 'bench' });
await store.ready();
const flush = async () => {
  const b = new FlushBatch();
  for (const u of updates) b.add(u, byName.get(u.view));
  await store.applyGroups(b.groups, b.size, views, b.late);
};
for (let i = 0; i < 20; i++) await flush();
const out = { speed: [], memory: [], flush: [], script: [], aggregate: [], write: [] };
for (let r = 0; r < rounds; r++) {
  out.speed.push(time(speed, 200) / 500);
  out.memory.push(time(memory, 100) / 500);
  await store.redis.config('RESETSTAT');
  const f0 = process.hrtime.bigint();
  for (let i = 0; i < 50; i++) await flush();
  out.flush.push(Number(process.hrtime.bigint() - f0) / 50 / 500);
  const usec = /cmdstat_evalsha:calls=\d+,usec=(\d+)/.exec(await store.redis.info('commandstats'));
  out.script.push((Number(usec?.[1] ?? NaN) * 1000) / 50 / 500);
  let a, d;
  out.aggregate.push(time(() => ([a, d] = aggregate()), 1) / events.length);
  const t1 = process.hrtime.bigint();
  await writeCells(target, pv, a, all);
  await writeCells(target, uv, d, all);
  out.write.push(Number(process.hrtime.bigint() - t1) / events.length);
}
await store.close();
redis.kill();
for (const [k, xs] of Object.entries(out)) console.log(`${k.padEnd(10)} min ${Math.min(...xs).toFixed(0).padStart(6)}  median ${median(xs).toFixed(0).padStart(6)} ns/event`);
if (sink < 0) console.log(sink);
