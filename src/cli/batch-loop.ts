/**
 * `topo batch FILE --every T`: the batch layer's `while True: recompute_batch_views()`. Runs
 * one batch after another, each as `topo batch FILE` would (its own lease, its own summary
 * line), waiting `T` between the start of one and the next (`--every 0`: start again as soon
 * as a run ends). A failed run keeps the current version (nothing is published before the
 * whole recompute succeeded) and is retried after 1 s, doubling to 5 min and never past the
 * next scheduled run. SIGINT/SIGTERM stops between runs at once; during a run the first
 * signal lets it finish and stops after it, a second aborts it before anything is published
 * (exit 1). Bad usage (a missing file, a bad flag) ends the loop at once, as a single run.
 */
import { UsageError } from './options.js';

const MAX_RETRY_MS = 5 * 60_000;

export class BatchAborted extends Error {
  constructor() {
    super('aborted: nothing of this run was published, the current versions stay');
  }
}

export interface LoopIo {
  /** A progress or event line (stderr). */
  say(line: string): void;
}

/** Runs `run` every `everyMs` (0: back to back) until a signal; resolves the exit code. */
export async function batchLoop(everyMs: number, run: (n: number, signal: AbortSignal) => Promise<void>, io: LoopIo): Promise<number> {
  const abort = new AbortController();
  let running = false;
  let stopping = false;
  let wake: (() => void) | null = null;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (!running) {
      stopping = true;
      io.say(`[batch] ${sig}: stopping between runs`);
      wake?.();
    } else if (!stopping) {
      stopping = true;
      io.say(`[batch] ${sig}: finishing the current run, then stopping (again to abort it; nothing is published)`);
    } else {
      io.say(`[batch] ${sig} again: aborting the current run`);
      abort.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    let failures = 0;
    for (let n = 1; ; n++) {
      const started = Date.now();
      running = true;
      let failed = false;
      try {
        await run(n, abort.signal);
        failures = 0;
      } catch (err) {
        if (err instanceof UsageError) throw err;
        if (abort.signal.aborted) {
          io.say(`[batch] run ${n} ${new BatchAborted().message}`);
          return 1;
        }
        failed = true;
        failures++;
        io.say(`[batch] run ${n} failed: ${err instanceof Error ? err.message : String(err)}; the current versions stay`);
      } finally {
        running = false;
      }
      if (stopping) return 0;
      const next = failed
        ? Math.min(1000 * 2 ** (failures - 1), MAX_RETRY_MS, everyMs > 0 ? everyMs : MAX_RETRY_MS)
        : Math.max(0, started + everyMs - Date.now());
      if (next > 0) io.say(`[batch] ${failed ? 'retrying' : 'next run'} in ${(next / 1000).toFixed(1)}s (at ${new Date(Date.now() + next).toISOString()})`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, next);
        wake = () => {
          clearTimeout(t);
          r();
        };
      });
      wake = null;
      if (stopping) return 0;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
