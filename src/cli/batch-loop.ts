/**
 * `topo batch FILE --every T`: the batch layer's `while True: recompute_batch_views()`. Runs
 * one batch after another, each as `topo batch FILE` would (its own lease, its own summary
 * line), waiting `T` between the start of one and the next (`--every 0`: start again as soon
 * as a run ends). A failed run keeps the current version (nothing is published before the
 * whole recompute succeeded) and is retried after 1 s, doubling to 5 min and never past the
 * next scheduled run. SIGINT/SIGTERM stops between runs at once; during a run the first
 * signal lets it finish and stops after it, a second aborts it before anything is published
 * (exit 1). Bad usage (a missing file, a bad flag) ends the loop at once, as a single run.
 *
 * The loop itself (`startBatchLoop`) takes no signals: `topo up` drives it from its own
 * shutdown (aborting a run at once) and asks for a run when its input is consumed.
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

export interface LoopOptions {
  /** Wait for `runNow()` before the first run (default: the first run starts at once). */
  readonly waitForFirst?: boolean;
  /** After each run: its number, when it started, and whether it succeeded. */
  readonly onRunEnd?: (n: number, startedAt: number, ok: boolean) => void;
}

export interface BatchLoop {
  /** 'stopped' (between runs, or after a run finished) or 'aborted' (a run was aborted, nothing of it published). */
  readonly done: Promise<'stopped' | 'aborted'>;
  /** True while a run is under way. */
  readonly running: boolean;
  /** Stop between runs at once; a run under way finishes first, or with `abort` is aborted before it publishes. */
  stop(abort: boolean): void;
  /** Start the next run now, or right after the one under way. */
  runNow(): void;
}

/** Runs `run` every `everyMs` (0: back to back) until stopped; see the file comment. */
export function startBatchLoop(everyMs: number, run: (n: number, signal: AbortSignal) => Promise<void>, io: LoopIo, o: LoopOptions = {}): BatchLoop {
  const abort = new AbortController();
  let running = false;
  let stopping = false;
  let again = false;
  let wake: (() => void) | null = null;
  const sleep = (ms: number): Promise<void> => new Promise<void>((r) => {
    const t = ms === Infinity ? null : setTimeout(r, ms);
    wake = () => {
      if (t !== null) clearTimeout(t);
      r();
    };
  }).finally(() => (wake = null));
  const loop = async (): Promise<'stopped' | 'aborted'> => {
    if (o.waitForFirst && !again) await sleep(Infinity);
    let failures = 0;
    for (let n = 1; !stopping; n++) {
      const started = Date.now();
      running = true;
      again = false;
      let failed = false;
      try {
        await run(n, abort.signal);
        failures = 0;
      } catch (err) {
        if (err instanceof UsageError) throw err;
        if (abort.signal.aborted) {
          io.say(`[batch] run ${n} ${new BatchAborted().message}`);
          return 'aborted';
        }
        failed = true;
        failures++;
        io.say(`[batch] run ${n} failed: ${err instanceof Error ? err.message : String(err)}; the current versions stay`);
      } finally {
        running = false;
      }
      o.onRunEnd?.(n, started, !failed);
      if (stopping) break;
      const next = again ? 0 : failed
        ? Math.min(1000 * 2 ** (failures - 1), MAX_RETRY_MS, everyMs > 0 ? everyMs : MAX_RETRY_MS)
        : Math.max(0, started + everyMs - Date.now());
      if (next > 0) io.say(`[batch] ${failed ? 'retrying' : 'next run'} in ${(next / 1000).toFixed(1)}s (at ${new Date(Date.now() + next).toISOString()})`);
      if (next > 0) await sleep(next);
    }
    return 'stopped';
  };
  const done = loop();
  return {
    done,
    get running() {
      return running;
    },
    stop(abortRun) {
      stopping = true;
      if (running && abortRun) abort.abort();
      wake?.();
    },
    runNow() {
      again = true;
      wake?.();
    },
  };
}

/** `topo batch --every`: the loop under SIGINT/SIGTERM (see the file comment); resolves the exit code. */
export async function batchLoop(everyMs: number, run: (n: number, signal: AbortSignal) => Promise<void>, io: LoopIo): Promise<number> {
  let loop: BatchLoop | null = null;
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (!loop!.running) {
      io.say(`[batch] ${sig}: stopping between runs`);
      loop!.stop(false);
    } else if (signals === 1) {
      io.say(`[batch] ${sig}: finishing the current run, then stopping (again to abort it; nothing is published)`);
      loop!.stop(false);
    } else {
      io.say(`[batch] ${sig} again: aborting the current run`);
      loop!.stop(true);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    loop = startBatchLoop(everyMs, run, io);
    return (await loop.done) === 'aborted' ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
