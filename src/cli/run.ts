/**
 * `topo run FILE`: load, start, show progress, stop on --duration or a signal, print the
 * summary. Exit codes: 0 completed or cleanly stopped, 1 failed or incomplete, 2 bad usage.
 */
import { loadTopologyFile, TopologyLoadError, type LoadedTopology } from '../runtime/loader.js';
import { connectViews } from '../speed/connect.js';
import { usesState } from '../topology/validate-state.js';
import { Supervisor, RunError } from '../runtime/supervisor.js';
import type { RunSummary } from '../runtime/summary.js';
import { ProgressLine, fmt } from './progress.js';
import { chaosFlag, configPairs, durationFlag, intFlag, overrides, UsageError, type CommonFlags } from './options.js';
import { RunDashboard } from '../ui/run-dashboard.js';
import { ListenError } from '../ui/listen.js';
import { tlsFlagsOf, type RedisTlsCliFlags } from './redis-flags.js';

export interface RunFlags extends CommonFlags, RedisTlsCliFlags {
  duration?: string;
  chaos?: string;
  metricsInterval?: string;
  quiet?: boolean;
  json?: boolean;
  redis?: string;
  redisTimeout?: string;
  redisCluster?: string[];
  /** Dashboard (src/ui): --ui, or implied by --ui-port / --host. */
  ui?: boolean;
  uiPort?: string;
  host?: string;
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

export async function runCommand(file: string, flags: RunFlags): Promise<number> {
  const log = (s: string): void => {
    if (!flags.quiet) process.stderr.write(`${s}\n`);
  };
  const durationMs = durationFlag('duration', flags.duration);
  const chaos = chaosFlag(flags.chaos);
  const intervalMs = durationFlag('metrics-interval', flags.metricsInterval) ?? 5000;
  const redisTimeoutMs = durationFlag('redis-timeout', flags.redisTimeout);
  const ui = uiFlags(flags);
  const loaded = await loadTopologyFile(file);
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
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // Listening before the threads start: the page is there while they come up.
    await dashboard?.attach(sup).catch((err: unknown) => {
      throw err instanceof ListenError ? new RunError(err.message, 1) : err;
    });
    await sup.start();
  } catch (err) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    throw err;
  }
  if (stopRequested) void sup.stop();
  log(`[${loaded.topology.name}] running: ${sup.config.workers} worker threads, ${sup.config.ackers} ackers` +
    `${durationMs !== undefined ? `, stopping after ${durationMs} ms` : ''}`);

  const progress = new ProgressLine();
  // Fresh figures for each line (threads report every second on their own).
  const timer = setInterval(() => {
    void sup.refreshMetrics().then(() => log(progress.line(sup.summary())));
  }, intervalMs);
  let summary: RunSummary;
  try {
    summary = await sup.completion;
  } finally {
    clearInterval(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  dashboard?.finished(summary);
  const ok = summary.status === 'completed' || summary.status === 'stopped';
  // -q hides progress, never why a run failed.
  if (ok) log(finalLine(summary));
  else process.stderr.write(`${finalLine(summary)}\n`);
  if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  // With --ui the figures stay up until Ctrl-C (a second signal during the drain exits at once).
  if (!stopRequested) await dashboard?.linger(summary.status);
  return ok ? 0 : 1;
}

function finalLine(s: RunSummary): string {
  const spouts = Object.values(s.spouts);
  const acked = spouts.reduce((a, x) => a + x.acked, 0);
  const failed = spouts.reduce((a, x) => a + x.failed, 0);
  const replayed = spouts.reduce((a, x) => a + x.replayed, 0);
  const lat = s.completeLatencyMs ? `, complete latency p50 ${s.completeLatencyMs.p50} ms p99 ${s.completeLatencyMs.p99} ms` : '';
  const head = `[${s.topology}] ${s.status} in ${(s.elapsedMs / 1000).toFixed(1)}s: acked ${fmt(acked)} ` +
    `(${fmt(s.throughput.ackedPerSec)}/s), failed ${failed}, replayed ${replayed}${lat}` +
    `${s.restarts ? `, restarts ${s.restarts} (chaos kills ${s.chaosKills})` : ''}`;
  if (s.status === 'incomplete') return `${head}\n[${s.topology}] drain timed out with ${s.pending} trees still pending`;
  return s.error ? `${head}\n[${s.topology}] ${s.error}` : head;
}

/** Map an error thrown by a command to an exit code and a message (no stack for user errors). */
export function errorExit(err: unknown): { code: number; message: string } {
  if (err instanceof UsageError) return { code: 2, message: err.message };
  if (err instanceof RunError) return { code: err.exitCode, message: err.message };
  if (err instanceof TopologyLoadError) return { code: 1, message: err.message };
  if (err instanceof Error) return { code: 1, message: err.stack ?? err.message };
  return { code: 1, message: String(err) };
}
