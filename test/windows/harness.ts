// Runs a window fixture on two worker threads and reads what it logged (see test/fixtures/windows/parts.ts).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTopology, type RunSummary, type TopologyHandle } from '../../src/index.js';
import type { Step } from '../fixtures/windows/parts.js';

export interface Fire { ev: 'fire'; task: number; start: number; end: number; update: boolean; failing: boolean; ids: Array<number | string>; fresh: Array<number | string>; expired: Array<number | string>; keys: string[] }
export type LogEvent = Fire | { ev: 'ack' | 'fail'; id: number | string; spout: number } | { ev: 'late'; id: number | string; ts: number; from: string };

export class WindowRun {
  readonly dir = mkdtempSync(join(tmpdir(), 'topo-windows-'));
  handle!: TopologyHandle;

  async start(fixture: string, script: Step[][], config: Record<string, unknown> = {}): Promise<this> {
    const file = new URL(`../fixtures/windows/${fixture}`, import.meta.url).pathname;
    this.handle = await runTopology(file, { overrides: { workers: 2 }, config: { outDir: this.dir, script, ...config } });
    return this;
  }

  log(): LogEvent[] {
    const file = join(this.dir, 'log.jsonl');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as LogEvent);
  }

  fires(): Fire[] {
    return this.log().filter((e): e is Fire => e.ev === 'fire');
  }

  acked(): Array<number | string> {
    return this.log().flatMap((e) => (e.ev === 'ack' ? [e.id] : []));
  }

  /** Poll the log until `test` holds; throw with the log so far after `timeoutMs`. */
  async until(test: (log: LogEvent[]) => boolean, timeoutMs = 10_000, what = 'condition'): Promise<LogEvent[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const log = this.log();
      if (test(log)) return log;
      if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms; log:\n${log.map((e) => JSON.stringify(e)).join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The run's end, bounded (a run that never completes fails the test instead of hanging it). */
  async completion(timeoutMs = 15_000): Promise<RunSummary> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((r) => (timer = setTimeout(() => r(null), timeoutMs)));
    const summary = await Promise.race([this.handle.completion, late]);
    clearTimeout(timer);
    if (summary === null) {
      await this.handle.stop();
      throw new Error(`run did not complete within ${timeoutMs} ms; log:\n${this.log().map((e) => JSON.stringify(e)).join('\n')}`);
    }
    return summary;
  }

  async close(): Promise<void> {
    await this.handle?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
