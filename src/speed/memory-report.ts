/**
 * Runs without Redis keep views in each writer task's own MemoryViewStore (one per task, in
 * its worker thread). At finish every memory-mode writer emits its store's snapshot on
 * MEMORY_VIEWS_STREAM; this bolt (one task, global grouping) merges them and, at its own
 * finish, prints each view's top entries, which is all that is left of them after the run.
 *
 *   builder.setBolt('view-report', memoryViewReport({ views }), 1)
 *     .globalGrouping('writer', MEMORY_VIEWS_STREAM);
 */
import type { BasicBolt, Config } from '../api/components.js';
import type { Tuple } from '../api/tuple.js';
import type { ViewDef } from '../views/view.js';
import { aggregatorOf } from '../views/kinds/index.js';
import { MemoryViewStore, type MemorySnapshot } from './memory-store.js';
import type { StoreView } from './store.js';

export interface MemoryReportOptions {
  readonly views: readonly ViewDef<never>[] | readonly StoreView[];
  /** Entries per view (default 10; config `reportTop` overrides). */
  readonly top?: number;
  /** Where lines go (default stderr). */
  readonly write?: (line: string) => void;
}

/** Format the top entries of every view in a store, one block per view. */
export function formatTopEntries(store: MemoryViewStore, views: readonly StoreView[], n: number): string[] {
  const lines: string[] = [];
  for (const v of views) {
    const top = store.topEntries(v, n);
    const note = aggregatorOf(v.aggregation).topNote;
    lines.push(`view ${v.name} (in-process store, top ${n}${note !== null ? `, ${note}` : ''}):`);
    if (top.length === 0) lines.push('  (empty)');
    const width = Math.max(0, ...top.map((e) => e.key.length));
    for (const e of top) lines.push(`  ${e.key.padEnd(width)}  ${e.score}`);
  }
  return lines;
}

/** A factory for the reporter bolt described in the file comment. */
export function memoryViewReport(options: MemoryReportOptions): () => BasicBolt {
  return () => {
    const views = options.views as readonly StoreView[];
    const merged = new MemoryViewStore();
    let n = options.top ?? 10;
    let seen = 0;
    return {
      declareOutputFields: () => {},
      prepare(config: Config) {
        n = Number(config['reportTop'] ?? n);
      },
      execute(t: Tuple) {
        merged.merge(t.getValue(0) as MemorySnapshot, views);
        seen++;
      },
      finish() {
        if (seen === 0) return; // the writers used Redis: nothing to print
        const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
        for (const line of formatTopEntries(merged, views, n)) write(line);
      },
    };
  };
}
