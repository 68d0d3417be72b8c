/**
 * One `topo batch` run: load the topology module (its views and batchInput), take the
 * namespace's lease, recompute the views from the whole master dataset on the pool, and
 * publish each view atomically. Also the rollback of one view. The CLI (src/cli/batch.ts)
 * only parses flags, connects and prints.
 */
import { carryOver } from './carry-over.js';
import { readPointer } from '../../serving/pointer.js';
import type { Redis } from 'ioredis';
import { pathToFileURL } from 'node:url';
import { loadTopologyFile, TopologyLoadError } from '../../runtime/loader.js';
import { batchSeqKey } from '../../views/keys.js';
import type { ViewDef } from '../../views/view.js';
import { computeViews, type Computed } from './compute.js';
import { checkBatchInput, type BatchInput } from './input.js';
import { batchDeclarations } from '../app.js';
import { acquireLease } from './lease.js';
import { openBatchPool } from './pool.js';
import { openVersion, publishView, rollbackView, type Published } from './publish.js';
import type { VersionTarget } from './target.js';
import { settleTempParts, type TempPartsReport } from './temp-parts.js';
import type { BatchPointer } from '../../serving/pointer.js';

export interface BatchRunOptions {
  readonly file: string;
  /** View names (default: every view the module exports). */
  readonly views?: readonly string[];
  readonly root: string;
  readonly since?: string;
  readonly until?: string;
  readonly threads?: number;
  readonly strict?: boolean;
  /** Aborts the run before it publishes anything (checked per file read and before publishing). */
  readonly signal?: AbortSignal;
  /** How long to wait for another run's lease (default: fail at once). */
  readonly waitMs?: number;
  readonly leaseTtlMs?: number;
  readonly onFile?: (done: number, total: number, records: number) => void;
}

export interface BatchRunResult extends Omit<Computed, 'cells'> {
  readonly namespace: string;
  readonly batchId: number | null;
  readonly threads: number;
  readonly elapsedMs: number;
  /** Of which: reading, computing and writing the version (the pool), and the pointer swap and cleanup. */
  readonly computeMs: number;
  readonly publishMs: number;
  readonly published: readonly Published[];
  /** Temp parts found before reading: recovered (then read), and live ones (not read: they cap the watermarks). */
  readonly tempParts: TempPartsReport;
}

interface Loaded {
  namespace: string;
  views: readonly ViewDef<never>[];
  input: BatchInput<never>;
  bundle: string;
}

export class BatchUsageError extends Error {}

async function load(file: string, names?: readonly string[]): Promise<Loaded> {
  const loaded = await loadTopologyFile(file);
  const all = loaded.views ?? [];
  const mod = (await import(pathToFileURL(loaded.bundlePath).href)) as Record<string, unknown>;
  let input: BatchInput<never>;
  try {
    // The batch input must name a declared dataset (app.ts): checked here, before any thread starts.
    input = batchDeclarations(mod, file).batchInput ?? checkBatchInput(undefined, file);
  } catch (err) {
    throw new TopologyLoadError(`cannot load ${file}: ${(err as Error).message}`);
  }
  const views = names && names.length > 0
    ? names.map((n) => all.find((v) => v.name === n) ?? fail(`unknown view '${n}' (${file} defines: ${all.map((v) => v.name).join(', ') || 'no views'})`))
    : all;
  if (views.length === 0) fail(`${file} exports no views to recompute`);
  return { namespace: loaded.topology.name, views, input, bundle: loaded.bundlePath };
}

function fail(message: string): never {
  throw new BatchUsageError(message);
}

export async function runBatch(redis: Redis, o: BatchRunOptions): Promise<BatchRunResult> {
  const t0 = Date.now();
  const { namespace, views, input, bundle } = await load(o.file, o.views);
  const lease = await acquireLease(redis, namespace, { ...(o.waitMs !== undefined ? { waitMs: o.waitMs } : {}), ...(o.leaseTtlMs !== undefined ? { ttlMs: o.leaseTtlMs } : {}) });
  try {
    const range = { ...(o.since !== undefined ? { since: o.since } : {}), ...(o.until !== undefined ? { until: o.until } : {}) };
    const tempParts = settleTempParts(o.root, input.dataset, range);
    // A live writer's temp part holds facts this run does not read: no view may cover them.
    const cap = tempParts.liveEarliest ?? Infinity;
    const pool = await openBatchPool(o.threads);
    const threads = pool.threads;
    let computed: Computed;
    let batchId: number | null = null;
    const watermarks: Record<string, number> = {};
    // Buckets a non-monoid view may still change (an open visit) stay with the speed layer.
    const open = async (maxTs: number): Promise<{ target: VersionTarget; watermarks: Record<string, number> }> => {
      await lease.check();
      batchId = await redis.incr(batchSeqKey(namespace));
      for (const view of views) {
        watermarks[view.name] = Math.min(maxTs, cap) - (input.reducers?.[view.name]?.settleMs ?? 0);
        await openVersion(redis, namespace, view, batchId);
      }
      return { target: { redis: targetOf(redis), namespace, batchId }, watermarks };
    };
    try {
      computed = await computeViews({
        root: o.root, bundle, input, views, pool, open, strict: o.strict ?? false,
        ...(o.since !== undefined ? { since: o.since } : {}), ...(o.until !== undefined ? { until: o.until } : {}),
        onFile: (done, total, records) => {
          // Thrown from the reader's progress: the pool closes and nothing is published.
          if (o.signal?.aborted) throw new Error('batch run aborted');
          o.onFile?.(done, total, records);
        },
      });
    } finally {
      await pool.close();
    }
    const { cells, ...stats } = computed;
    const t1 = Date.now();
    const published: Published[] = [];
    // The last point to abort: once publishing starts, every view is published.
    if (o.signal?.aborted) throw new Error('batch run aborted before publishing');
    if (batchId !== null) {
      for (const view of views) {
        await lease.check();
        let watermark = watermarks[view.name]!;
        // A partial run keeps every other date of the current version (carry-over.ts).
        if (o.since !== undefined || o.until !== undefined) {
          const current = await readPointer(redis, namespace, view);
          if (current !== null) {
            await carryOver(redis, namespace, view, current.current, batchId, range, watermark);
            watermark = Math.max(watermark, Math.min(current.watermark, cap));
          }
        }
        published.push(await publishView(redis, namespace, view, batchId, cells.get(view.name) ?? 0, watermark));
      }
    }
    const t2 = Date.now();
    return { ...stats, namespace, batchId, threads, elapsedMs: t2 - t0, computeMs: t1 - t0, publishMs: t2 - t1, published, tempParts };
  } finally {
    await lease.release();
  }
}

/** `--rollback VIEW`: under the lease, so it never interleaves with a publish. */
export async function rollbackBatch(redis: Redis, file: string, viewName: string, waitMs?: number): Promise<{ namespace: string; before: BatchPointer }> {
  const { namespace, views } = await load(file, [viewName]);
  const lease = await acquireLease(redis, namespace, waitMs !== undefined ? { waitMs } : {});
  try {
    return { namespace, before: await rollbackView(redis, namespace, views[0]!) };
  } finally {
    await lease.release();
  }
}

/** How the pool threads reach the Redis this run uses (plain options: they cross threads). */
function targetOf(redis: Redis): VersionTarget['redis'] {
  const { host, port, username, password, db, tls } = redis.options;
  return { host, port, db, ...(username ? { username } : {}), ...(password ? { password } : {}), ...(tls ? { tls } : {}) };
}
