/**
 * `topo up`'s speed layer: `topo run FILE` in a child process, restarted when it fails.
 *
 * A child rather than in-process: serving and the batch loop must outlive a speed layer that
 * fails (a thread that keeps dying, Redis refusing writes past the run's retries), and also
 * one that takes its whole process down (the kernel's OOM killer picks the process with the
 * tuples, a native crash, a topology calling process.exit on the main thread). The child is
 * the unchanged `topo run` with its own dashboard on an internal loopback port, whose live
 * figures `topo up`'s dashboard shows (see live-proxy in up.ts), and its own process group,
 * so a terminal's Ctrl-C reaches it once, as `topo up`'s SIGTERM, and it drains as always;
 * should `topo up` be killed outright, the child sees its pid (TOPO_UP_PID) gone and stops.
 *
 * A run that ends completed (its input consumed) is not restarted: its page stays up with the
 * final figures. A failed run is restarted after 1 s, doubling to 1 min, and given up after 5
 * failures in a row that each ran under a minute; serving and batch carry on either way. A
 * file input is read again from its start by a restart: the realtime views count it twice
 * until the next batch run repairs them (the master dataset's duplicate ids are removed there).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const MAX_QUICK_FAILURES = 5;
const QUICK_MS = 60_000;
const MAX_BACKOFF_MS = 60_000;

export interface SpeedOptions {
  /** `topo run` arguments after the file (flags forwarded from `topo up`). */
  readonly args: readonly string[];
  readonly file: string;
  /** The child's environment (REDIS_URL: where the views are). */
  readonly env: NodeJS.ProcessEnv;
  readonly say: (line: string) => void;
  /** Pass the child's dashboard line on (it is the only dashboard when `topo up` serves nothing itself). */
  readonly showDashboard?: boolean;
  /** The run ended with its input consumed (status completed or completed-with-failures). */
  readonly onEnded: (status: string) => void;
  /** Restarts are over: the run kept failing. */
  readonly onGaveUp: () => void;
}

/** The CLI's entry, to run `topo run` as a child: next to this file when built, else the built copy. */
function binPath(): string {
  const here = fileURLToPath(new URL('./bin.js', import.meta.url));
  return existsSync(here) ? here : fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));
}

export class SpeedLayer {
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);
  private stopping = false;
  private ended = false;
  private failures = 0;
  private retry: NodeJS.Timeout | null = null;
  /** The child's dashboard (http://127.0.0.1:PORT), once it printed it. */
  liveUrl: string | null = null;
  /** The exit code of the last child (null while it runs or after a signal). */
  lastCode: number | null = null;
  starts = 0;

  constructor(private readonly o: SpeedOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    this.starts++;
    const t0 = Date.now();
    const child = spawn(process.execPath, [binPath(), 'run', this.o.file, ...this.o.args, '--ui-port', '0', '--host', '127.0.0.1'],
      { env: this.o.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    let status: string | null = null;
    const onLine = (line: string): void => {
      const ui = /\] dashboard: (http:\/\/\S+?)\/ui\/ /.exec(line);
      if (ui) {
        this.liveUrl = ui[1]!;
        if (!this.o.showDashboard) return;
      }
      const linger = /\] run (\S+); dashboard still at /.exec(line);
      if (linger) return void this.lingering((status = linger[1]!));
      this.o.say(`[speed] ${line}`);
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.child = null;
        this.liveUrl = null;
        this.lastCode = code;
        resolve(code);
        if (this.stopping || this.ended) return;
        this.failed(status ?? (signal ? `killed by ${signal}` : `exit ${code}`), Date.now() - t0);
      });
    });
    this.o.say(`[up] speed layer: topo run ${this.o.file} (pid ${child.pid})${this.starts > 1 ? `, start ${this.starts}` : ''}`);
  }

  /** The child's run is over and its page lingers: done, or a failure to restart from. */
  private lingering(status: string): void {
    if (status === 'completed' || status === 'completed-with-failures') {
      this.ended = true;
      this.o.onEnded(status);
      return;
    }
    this.child?.kill('SIGTERM'); // its exit restarts it (below)
  }

  private failed(why: string, ranMs: number): void {
    this.failures = ranMs >= QUICK_MS ? 1 : this.failures + 1;
    if (this.failures >= MAX_QUICK_FAILURES) {
      this.o.say(`[up] speed layer failed ${this.failures} times in a row (last: ${why}); not restarting it. Serving and the batch loop keep running`);
      this.ended = true;
      this.o.onGaveUp();
      return;
    }
    const wait = Math.min(1000 * 2 ** (this.failures - 1), MAX_BACKOFF_MS);
    this.o.say(`[up] speed layer ${why}: restarting it in ${(wait / 1000).toFixed(0)}s (a file input is read again from its start; the next batch run repairs the double counts)`);
    this.retry = setTimeout(() => this.start(), wait);
  }

  /** Drain and stop (SIGTERM: `topo run` stops its spouts and drains); `force`: a second SIGTERM, no drain. */
  async stop(force = false): Promise<number | null> {
    this.stopping = true;
    if (this.retry) clearTimeout(this.retry);
    this.child?.kill('SIGTERM');
    if (force) return null;
    return this.exited;
  }
}
