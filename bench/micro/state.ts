// How long a checkpoint takes: a task whose N keys all changed since the last one is
// snapshotted (the changed keys serialised) and committed to a local redis-server in one
// script, as the stateful bolt does on its tick. Median of 7 checkpoints per size, after 2
// warm-ups; every checkpoint rewrites all N keys (the worst case for that state size).
// `--ids` also commits N applied input ids (option idField).
import { startRedis } from '../../test/helpers/redis-server.js';
import { AppliedIds } from '../../src/state/applied-ids.js';
import { RedisCheckpointStore } from '../../src/state/redis-checkpoints.js';
import { TaskState } from '../../src/state/task-state.js';

const SIZES = [1_000, 10_000, 100_000];
const RUNS = 7;
const WARMUP = 2;
const withIds = process.argv.includes('--ids');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const redis = await startRedis();
try {
  console.log(`checkpoint of N changed keys (counters) to redis-server at ${redis.url}${withIds ? ', plus N applied ids' : ''}`);
  console.log('keys      snapshot ms   commit ms   total ms   per key µs');
  for (const n of SIZES) {
    const store = new RedisCheckpointStore({ url: redis.url }, { namespace: 'bench', component: `count${n}`, taskIndex: 0, commandTimeoutMs: 60_000 });
    await store.open(1);
    const state = new TaskState("bolt 'bench'");
    const ids = new AppliedIds(1_000_000);
    const snapMs: number[] = [];
    const commitMs: number[] = [];
    let seq = 0;
    for (let run = 0; run < WARMUP + RUNS; run++) {
      for (let k = 0; k < n; k++) {
        state.begin(); // as per input in the bolt: the undo record is per input
        state.increment(`key:${k}`);
        if (withIds) ids.add(`event:${seq++}`);
      }
      const t0 = performance.now();
      const snap = state.snapshot();
      const idSnap = withIds ? ids.snapshot(run + 1) : null;
      const t1 = performance.now();
      await store.commit(run + 1, snap, idSnap);
      const t2 = performance.now();
      if (idSnap) ids.committed(idSnap);
      if (run >= WARMUP) {
        snapMs.push(t1 - t0);
        commitMs.push(t2 - t1);
      }
    }
    await store.close();
    const s = median(snapMs);
    const c = median(commitMs);
    console.log(`${String(n).padEnd(9)} ${s.toFixed(2).padStart(11)} ${c.toFixed(2).padStart(11)} ${(s + c).toFixed(2).padStart(10)} ${(((s + c) * 1000) / n).toFixed(2).padStart(12)}`);
  }
} finally {
  await redis.dispose();
}
