/**
 * `topo run FILE`: load, start, show progress, stop on --duration or a signal, print the
 * summary. Exit codes: 0 completed or cleanly stopped, 1 failed or incomplete, 2 bad usage,
 * 3 completed with failures (trees failed and never completed; --allow-failed makes it 0).
 */
import { loadTopologyFile, TopologyLoadError, type LoadedTopology } from '../runtime/loader.js';
import { declarationsOf } from './input-format.js';
import { connectViews } from '../speed/connect.js';
import { usesState } from '../topology/validate-state.js';
import { Supervisor, RunError } from '../runtime/supervisor.js';
import { neverCompleted, type RunSummary } from '../runtime/summary.js';
import { ProgressLine, fmt } from './progress.js';
import { chaosFlag, configPairs, durationFlag, intFlag, overrides, UsageError, type CommonFlags } from './options.js';
import { RunDashboard } from '../ui/run-dashboard.js';
import { ListenError } from '../ui/listen.js';
import { tlsFlagsOf, type RedisTlsCliFlags } from './redis-flags.js';
import { isAlive } from '../speed/private-redis.js';

export interface RunFlags extends CommonFlags, RedisTlsCliFlags {
  duration?: string;
  chaos?: string;
  metricsInterval?: string;
  quiet?: boolean;
  json?: boolean;
  /** Exit 0, not 3, when the run completed with trees that failed and never completed. */
  allowFailed?: boolean;
  redis?: string;
  redisTimeout?: string;
  redisCluster?: string[];
  /** Dashboard (src/ui): --ui, or implied by --ui-port / --host. */
  ui?: boolean;
  uiPort?: string;
  host?: string;
  /** Start with the spouts deactivated; SIGUSR2 toggles. */
  inactive?: boolean;
}

/** The --ui flags as a bind address, or null without a dashboard. */
function uiFlags(flags: RunFlags): { host: string; port: number } | null {
  if (!flags.ui && flags.uiPort === undefined && flags.host === undefined) return null;
  const port = intFlag('ui-port', flags.uiPort ?? '0', 0)!;
  if (port > 65535) throw new UsageError(`--ui-port must be at most 65535, got '${flags.uiPort}'`);
  const host = flags.host ?? '127.0.0.1';
  if (host === '') throw new UsageError('--host must not be empty');
  return { host, port };
}

/**
 * `topo up` runs this command as its speed layer, in a process group of its own (up-speed.ts),
 * and names itself in TOPO_UP_PID: should it die without stopping the run (SIGKILL), the run
 * stops as on SIGTERM rather than go on orphaned (and its dashboard linger forever).
 */
function stopWithParent(): void {
  const pid = Number(process.env['TOPO_UP_PID']);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const t = setInterval(() => {
    if (isAlive(pid)) return;
    clearInterval(t);
    process.kill(process.pid, 'SIGTERM');
  }, 1000);
  t.unref();
}

export async function runCommand(file: string, flags: RunFlags): Promise<number> {
  stopWithParent();
  const log = (s: string): void => {
    if (!flags.quiet) process.stderr.write(`${s}\n`);
  };
  const durationMs = durationFlag('duration', flags.duration);
  const chaos = chaosFlag(flags.chaos);
  const intervalMs = durationFlag('metrics-interval', flags.metricsInterval) ?? 5000;
  const redisTimeoutMs = durationFlag('redis-timeout', flags.redisTimeout);
  const ui = uiFlags(flags);
  const loaded = await loadTopologyFile(file);
  await declarationsOf(loaded, file);
  const name = loaded.topology.name;
  // A topology that exports views writes them, and stateful bolts checkpoint there too:
  // resolve where Redis is before any thread starts.
  const views = loaded.views !== null || usesState(loaded.topology.plan) ? await connectViews({
    ...(flags.redis !== undefined ? { url: flags.redis } : {}),
    ...(flags.redisCluster !== undefined ? { cluster: flags.redisCluster } : {}),
    ...(redisTimeoutMs !== undefined ? { redisTimeoutMs } : {}),
    tls: tlsFlagsOf(flags),
  }).catch((err: unknown) => {
    throw err instanceof RunError ? err : new RunError((err as Error).message, 1);
  }) : null;
  if (views) {
    if (views.warning) process.stderr.write(`[${name}] ${views.warning}\n`);
    log(`[${name}] ${loaded.views !== null ? 'views' : 'state'}: ${views.display}`);
  }
  let dashboard: RunDashboard | null = null;
  try {
    if (ui) {
      dashboard = await RunDashboard.prepare({
        file, topology: loaded.topology, views: loaded.views, redis: views, ...ui,
        say: (s) => process.stderr.write(`[${name}] ${s}\n`),
      });
    }
    return await runWith(file, flags, loaded, views?.config ?? {}, { durationMs, chaos, intervalMs, log, dashboard });
  } finally {
    await dashboard?.close();
    await views?.release();
  }
}

interface RunSettings {
  durationMs: number | undefined;
  chaos: ReturnType<typeof chaosFlag>;
  intervalMs: number;
  log: (s: string) => void;
  dashboard: RunDashboard | null;
}

async function runWith(
  _file: string,
  flags: RunFlags,
  loaded: LoadedTopology,
  viewConfig: Readonly<Record<string, unknown>>,
  { durationMs, chaos, intervalMs, log, dashboard }: RunSettings,
): Promise<number> {
  const sup = new Supervisor(loaded.topology, { bundlePath: loaded.bundlePath, file: loaded.file }, {
    config: configPairs(flags.config),
    overrides: { ...overrides(flags), ...viewConfig },
    ...(durationMs !== undefined ? { durationMs } : {}),
    ...(chaos !== undefined ? { chaosKillEveryMs: chaos.everyMs, chaosMaxKills: chaos.maxKills } : {}),
    ...(flags.inactive === true ? { startInactive: true } : {}),
    onError: (e) => log(`[${loaded.topology.name}] error in '${e.component}' (task ${e.taskId}): ${e.message.split('\n')[0]}`),
    onEvent: (text) => log(`[${loaded.topology.name}] ${text}`),
  });
  // Signals are caught from the start: one during startup stops the run as soon as it is up.
  let signals = 0;
  let stopRequested = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      log(`[${loaded.topology.name}] ${sig} again: exiting without draining`);
      process.exit(1);
    }
    log(`[${loaded.topology.name}] ${sig}: stopping spouts and draining pending trees (again to force)`);
    stopRequested = true;
    void sup.stop();
  };
  // Storm's `storm activate|deactivate`: SIGUSR2 toggles the spouts of a running topology.
  const onToggle = (): void => {
    if (!(sup.active ? sup.deactivate() : sup.activate())) log(`[${loaded.topology.name}] SIGUSR2: the run is not running; ignored`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGUSR2', onToggle);
  try {
    // Listening before the threads start: the page is there while they come up.
    await dashboard?.attach(sup).catch((err: unknown) => {
      throw err instanceof ListenError ? new RunError(err.message, 1) : err;
    });
    await sup.start();
  } catch (err) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGUSR2', onToggle);
    throw err;
  }
  if (stopRequested) void sup.stop();
  log(`[${loaded.topology.name}] running: ${sup.config.workers} worker threads, ${sup.config.ackers} ackers` +
    `${durationMs !== undefined ? `, stopping after ${durationMs} ms` : ''}`);

  const progress = new ProgressLine();
  // Fresh figures for each line (threads report every second on their own).
  const timer = setInterval(() => {
    void sup.refreshMetrics().then(() => log(`${sup.paused ? 'inactive (kill -USR2 to activate) ' : ''}${progress.line(sup.summary())}`));
  }, intervalMs);
  let summary: RunSummary;
  try {
    summary = await sup.completion;
  } finally {
    clearInterval(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGUSR2', onToggle);
  }
  dashboard?.finished(summary);
  const ok = summary.status === 'completed' || summary.status === 'stopped';
  // -q hides progress, never why a run failed.
  if (ok) log(finalLine(summary));
  else process.stderr.write(`${finalLine(summary, flags.allowFailed === true)}\n`);
  if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  // With --ui the figures stay up until Ctrl-C (a second signal during the drain exits at once).
  if (!stopRequested) await dashboard?.linger(summary.status);
  if (summary.status === 'completed-with-failures') return flags.allowFailed ? 0 : 3;
  return ok ? 0 : 1;
}

function finalLine(s: RunSummary, allowFailed = false): string {
  const spouts = Object.values(s.spouts);
  const acked = spouts.reduce((a, x) => a + x.acked, 0);
  const failed = spouts.reduce((a, x) => a + x.failed, 0);
  const replayed = spouts.reduce((a, x) => a + x.replayed, 0);
  const dead = spouts.reduce((a, x) => a + x.deadLettered, 0);
  const lat = s.completeLatencyMs ? `, complete latency p50 ${s.completeLatencyMs.p50} ms p99 ${s.completeLatencyMs.p99} ms` : '';
  const head = `[${s.topology}] ${s.status} in ${(s.elapsedMs / 1000).toFixed(1)}s: acked ${fmt(acked)} ` +
    `(${fmt(s.throughput.ackedPerSec)}/s), failed ${failed}, replayed ${replayed}${dead ? `, dead-lettered ${dead}` : ''}${lat}` +
    `${s.restarts ? `, restarts ${s.restarts} (chaos kills ${s.chaosKills})` : ''}`;
  if (s.status === 'incomplete') return `${head}\n[${s.topology}] drain timed out with ${s.pending} trees still pending`;
  if (s.status === 'completed-with-failures') return `${head}\n${failuresLine(s, allowFailed)}`;
  return s.error ? `${head}\n[${s.topology}] ${s.error}` : head;
}

/** Why a completed run is not a success: per spout, what was dead-lettered or dropped, and where. */
function failuresLine(s: RunSummary, allowFailed: boolean): string {
  const parts: string[] = [];
  for (const [id, x] of Object.entries(s.spouts)) {
    const last = s.lastErrors[id]?.replace(/^Error: /, '');
    if (x.deadLettered > 0) parts.push(`'${id}' dead-lettered ${x.deadLettered}${last ? ` (${last})` : ''}`);
    if (x.dropped > 0) parts.push(`'${id}' does not replay and dropped ${x.dropped}`);
  }
  return `[${s.topology}] ${neverCompleted(s)} tree(s) failed and never completed: ${parts.join('; ')}` +
    (allowFailed ? ' (accepted: --allow-failed)' : '; exit 3 (--allow-failed accepts this)');
}

/**
 * Map an error thrown by a command to an exit code and a message. User errors (bad usage, a
 * run that failed, a topology file that cannot be used) are told by their message alone, with
 * their stack (if any) under --verbose; anything else is a bug in topo, told with its stack.
 */
export function errorExit(err: unknown, verbose = false): { code: number; message: string } {
  const withDetail = (message: string, detail: string | undefined): string =>
    verbose && detail !== undefined && detail !== message ? `${message}\n${detail}` : message;
  if (err instanceof UsageError) return { code: 2, message: withDetail(err.message, err.stack) };
  if (err instanceof RunError) return { code: err.exitCode, message: withDetail(err.message, err.detail ?? err.stack) };
  if (err instanceof TopologyLoadError) return { code: err.exitCode, message: withDetail(err.message, err.detail ?? err.stack) };
  if (err instanceof Error && err.name === 'InputFileError') return { code: 1, message: withDetail(err.message, err.stack) };
  if (err instanceof Error) return { code: 1, message: err.stack ?? err.message };
  return { code: 1, message: String(err) };
}
