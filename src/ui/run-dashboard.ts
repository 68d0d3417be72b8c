/**
 * `topo run FILE --ui`: the dashboard of the run in this process. Opened before the threads
 * start (so the page is there while they come up), fed by the Supervisor, and kept up after
 * the run ends until Ctrl-C: a run over the shipped log takes seconds, and a dashboard that
 * vanished with it would show nothing. The analytics page reads the views through the same
 * serving layer as `topo serve`, when the views are in Redis.
 */
import type { ServedViews } from '../serving/open.js';
import { openServing, type OpenedServing } from '../serving/open.js';
import type { RunSummary } from '../runtime/summary.js';
import type { Topology } from '../topology/topology.js';
import type { ViewDef } from '../views/view.js';
import { isLoopback, listen, noAuthWarning, type Listening } from './listen.js';
import { LiveFigures, type RunSource } from './live.js';
import { dashboardHandler } from './server.js';
import { RedisProbe } from './store-probe.js';

export interface RunDashboardOptions {
  readonly file: string;
  readonly topology: Topology;
  readonly views: readonly ViewDef<never>[] | null;
  /** Where the run writes its views: a Redis URL or cluster nodes, or null (in-process store, or no views). */
  readonly redis: { readonly url: string | null; readonly cluster: readonly string[] | null } | null;
  readonly host: string;
  readonly port: number;
  /** A line on stderr (always shown: the URL is the point of --ui). */
  readonly say: (line: string) => void;
}

export class RunDashboard {
  private live: LiveFigures | null = null;
  private http: Listening | null = null;
  private opened: OpenedServing | null = null;

  private constructor(private readonly o: RunDashboardOptions) {}

  /** Connect the serving layer (when the views are in Redis); nothing listens yet. */
  static async prepare(o: RunDashboardOptions): Promise<RunDashboard> {
    const d = new RunDashboard(o);
    const target = o.redis?.url ? { url: o.redis.url } : o.redis?.cluster ? { cluster: o.redis.cluster } : null;
    if (target && o.views && o.views.length > 0) d.opened = await openServing(o.topology.name, target);
    return d;
  }

  /** Listen and print the URL; the page shows the run's figures from now on. */
  async attach(source: RunSource): Promise<string> {
    // The dashboard's serving connection doubles as the probe of the run's views store.
    const stores = this.opened ? [new RedisProbe(this.opened.serving.redis, this.opened.display)] : [];
    this.live = new LiveFigures(source, 1000, stores).start();
    const served: ServedViews = { file: this.o.file, namespace: this.o.topology.name, views: this.o.views ?? [] };
    const missing = !this.o.views || this.o.views.length === 0
      ? `${this.o.file} exports no views`
      : 'this run keeps its views in memory (no Redis: give --redis URL or install redis-server)';
    const handler = dashboardHandler({
      plan: source.plan,
      live: this.live,
      serving: this.opened ? { serving: this.opened.serving, served } : null,
      servingMissing: missing,
      loopbackHostOnly: isLoopback(this.o.host),
      onError: (err) => this.o.say(`dashboard: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
    });
    this.http = await listen(handler, this.o.host, this.o.port);
    const url = `${this.http.url}/ui/`;
    // The warning first: whoever waits for the URL line has it already.
    if (!isLoopback(this.o.host)) this.o.say(noAuthWarning(this.o.host, 'dashboard'));
    this.o.say(`dashboard: ${url} (analytics: ${url}analytics, JSON: ${this.http.url}/api/topology, Prometheus: ${this.http.url}/metrics)`);
    return url;
  }

  /** The run ended: freeze the figures at its summary. */
  finished(summary: RunSummary): void {
    this.live?.finish(summary);
  }

  /** Keep serving until SIGINT or SIGTERM. */
  async linger(status: string): Promise<void> {
    if (!this.http) return;
    // Caught before the line is printed: a script that reads it and sends SIGINT at once
    // must find the handler (without one the signal kills the process, exit code lost).
    const signalled = new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    this.o.say(`run ${status}; dashboard still at ${this.http.url}/ui/, Ctrl-C to exit`);
    const signal = await signalled;
    this.o.say(`${signal}: dashboard stopped`);
  }

  async close(): Promise<void> {
    await this.http?.close(1000);
    this.http = null;
    await this.opened?.release();
    this.opened = null;
  }
}
