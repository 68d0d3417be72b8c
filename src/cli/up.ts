/**
 * `topo up FILE`: the whole Lambda system in one command, until Ctrl-C. The speed layer is
 * `topo run FILE` in a child process (up-speed.ts says why, and how it is restarted), the
 * batch loop (`topo batch FILE --every T`, batch-loop.ts) and the serving API with the
 * dashboard (`topo serve`, serve-http.ts) run here, all on one Redis: the private
 * redis-server of the folder unless --redis says otherwise. One `topo up` per data folder
 * (up-lock.ts).
 *
 * Ctrl-C or SIGTERM: the speed layer drains as `topo run` does on a signal, a batch run under
 * way is aborted before it publishes (the current versions stay), the server lets requests
 * in flight finish; exit 0. A second signal stops at once (exit 1; the speed layer exits
 * without draining, a batch run under way is left as a killed run is). `--until-idle` ends by
 * itself once the speed layer's input is consumed and one batch run started after that has
 * published (exit 0; 1 if either failed, 3 if the run completed with failures).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { DEFAULT_MASTER_ROOT } from '../batch/master/layout.js';
import { loadTopologyFile } from '../runtime/loader.js';
import { RunError } from '../runtime/supervisor.js';
import { connectViews } from '../speed/connect.js';
import { redisOptionsFromUrl } from '../speed/redis-url.js';
import { liveProxy } from '../ui/live-proxy.js';
import { isLoopback, noAuthWarning } from '../ui/listen.js';
import { batchRun, text } from './batch.js';
import { startBatchLoop, type BatchLoop } from './batch-loop.js';
import { configPairs, DEFAULT_EVERY, durationFlag, intFlag, overrides, UsageError, type CommonFlags } from './options.js';
import { startServingHttp, type ServingHttp } from './serve-http.js';
import { takeUpLock } from './up-lock.js';
import { tlsFlagsOf, type RedisTlsCliFlags } from './redis-flags.js';
import { SpeedLayer } from './up-speed.js';
import { stdinFeed } from './up-stdin.js';

const fail = (err: Error): never => {
  throw err;
};

export interface UpFlags extends CommonFlags, RedisTlsCliFlags {
  every?: string;
  untilIdle?: boolean;
  master?: string;
  threads?: string;
  port?: string;
  host?: string;
  redis?: string;
  redisTimeout?: string;
  metricsInterval?: string;
  /** With `-c input=-`: the input format of stdin's lines (up-stdin.ts). */
  format?: string;
}

const DEFAULT_PORT = 8080;
const DRAIN_MS = 5000;

export async function upCommand(file: string, flags: UpFlags): Promise<number> {
  const everyMs = flags.every === '0' ? 0 : durationFlag('every', flags.every ?? DEFAULT_EVERY)!;
  const threads = intFlag('threads', flags.threads, 1);
  const port = intFlag('port', flags.port ?? String(DEFAULT_PORT), 0)!;
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got '${flags.port}'`);
  const host = flags.host ?? '127.0.0.1';
  if (host === '') throw new UsageError('--host must not be empty');
  const redisTimeoutMs = durationFlag('redis-timeout', flags.redisTimeout);
  const interval = flags.metricsInterval ?? '5s';
  durationFlag('metrics-interval', interval);
  const config = configPairs(flags.config);
  overrides(flags); // --workers and --ackers checked here, not by the first start of the child
  if (!existsSync(file)) throw new UsageError(`topology file not found: ${file}`);
  const loaded = await loadTopologyFile(file);
  if ((loaded.views ?? []).length === 0) throw new UsageError(`${file} exports no views: topo up runs a topology whose views both layers compute (topo run runs any topology)`);
  const name = loaded.topology.name;
  const masterGiven = flags.master ?? (typeof config['master'] === 'string' ? config['master'] : undefined);
  const master = masterGiven ?? DEFAULT_MASTER_ROOT;
  const say = (line: string): void => void process.stderr.write(`${line}\n`);

  // Signals from the start: one while things come up stops them as soon as they are up.
  let signals = 0;
  let wake = (): void => {};
  const stop = new Promise<void>((r) => (wake = r));
  let stopWhy: string | null = null;
  let forced = (): void => {};
  const onSignal = (sig: NodeJS.Signals): void => {
    if (++signals > 1) {
      say(`[up] ${sig} again: stopping at once`);
      return forced();
    }
    stopWhy = sig;
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const lock = await takeUpLock(process.cwd()).catch((err: unknown) => {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    throw err;
  });
  let serving: ServingHttp | null = null;
  let redis: Redis | null = null;
  let release = async (): Promise<void> => {};
  try {
    const conn = await connectViews({ ...(flags.redis !== undefined ? { url: flags.redis } : {}), ...(redisTimeoutMs !== undefined ? { redisTimeoutMs } : {}), tls: tlsFlagsOf(flags), env: { ...process.env, REDIS_CLUSTER_URLS: undefined } })
      .catch((err: unknown) => { throw err instanceof RunError ? err : new RunError((err as Error).message, 1); });
    release = () => conn.release();
    // Without Redis the speed layer runs alone, its views in its memory (as topo run's): the
    // batch loop publishes to Redis and serving reads from it. The quick start still runs.
    const inMemory = conn.url === null;
    if (inMemory) say(`[up] no Redis (--redis, REDIS_URL) and no redis-server installed: running the speed layer alone, its views in memory; the batch loop and the serving API need Redis (apt-get install redis-server)`);
    mkdirSync(master, { recursive: true });
    const stdin = config['input'] === '-'
      ? conn.url === null
        ? fail(new RunError('-c input=-: stdin is read through a Redis stream, and there is no Redis (give --redis URL, or install redis-server)', 1))
        : await stdinFeed({ file, ...(flags.format !== undefined ? { format: flags.format } : {}), namespace: name, url: conn.url, untilIdle: flags.untilIdle === true, say })
      : null;
    if (stdin === null && flags.format !== undefined) throw new UsageError('--format is the format of stdin\'s lines: it goes with -c input=-');

    let speed: SpeedLayer | null = null;
    const serve = (p: number): Promise<ServingHttp> => startServingHttp({
      file, loaded, host, port: p, say: (l) => say(`[serve] ${l}`), redis: { url: conn.url!, ...(redisTimeoutMs !== undefined ? { redisTimeoutMs } : {}) },
      wrap: (h) => liveProxy(h, () => speed?.liveUrl ?? null),
    });
    serving = inMemory ? null : await serve(port).catch(async (err: unknown) => {
      // The default port taken (another server, another topo up elsewhere): any free one, said below.
      if (flags.port !== undefined || !/EADDRINUSE/.test(String((err as Error).message))) throw err;
      say(`[up] port ${port} is in use: serving on a free port instead (--port N to choose)`);
      return serve(0);
    });
    const url = serving?.http.url ?? null;
    if (url !== null) lock.update({ dashboard: `${url}/ui/` });

    // The child finds the views through REDIS_URL (not a flag: no password in `ps`).
    const args = [
      ...(flags.config ?? []).filter((c) => stdin === null || !/^input=/.test(c)).flatMap((c) => ['-c', c]),
      ...(stdin?.config ?? []).flatMap((c) => ['-c', c]), ...(flags.master !== undefined ? ['-c', `master=${flags.master}`] : []),
      ...(flags.workers !== undefined ? ['--workers', flags.workers] : []), ...(flags.ackers !== undefined ? ['--ackers', flags.ackers] : []),
      '--metrics-interval', interval, ...(flags.redisTimeout !== undefined ? ['--redis-timeout', flags.redisTimeout] : []),
    ];
    let speedEnd: { at: number; code: number } | null = null;
    let outcome: number | null = null; // --until-idle: the exit code, once known
    const finish = (code: number): void => {
      outcome ??= code;
      wake();
    };
    let loop: BatchLoop | null = null;
    const speedEnded = (code: number): void => {
      speedEnd = { at: Date.now(), code };
      if (!flags.untilIdle) return;
      if (loop) loop.runNow();
      else finish(code);
    };
    const env: NodeJS.ProcessEnv = { ...process.env, REDIS_CLUSTER_URLS: '', TOPO_UP_PID: String(process.pid) };
    if (conn.url !== null) env['REDIS_URL'] = conn.url;
    else delete env['REDIS_URL'];
    speed = new SpeedLayer({
      file, args, env, say, showDashboard: inMemory,
      onEnded: (status) => {
        const next = !flags.untilIdle ? `; ${inMemory ? 'its' : 'serving and the batch loop go on, the'} dashboard stays up (Ctrl-C to stop)` : inMemory ? '' : '; one more batch run, then stopping (--until-idle)';
        say(`[up] speed layer: input consumed (${status})${next}`);
        speedEnded(status === 'completed' ? 0 : 3);
      },
      onGaveUp: () => speedEnded(1),
    });

    if (conn.url !== null) {
      redis = new Redis({ ...redisOptionsFromUrl(conn.url), maxRetriesPerRequest: 3 });
      redis.on('error', () => {});
      const once = batchRun(redis, { file, root: master, strict: false, ...(threads !== undefined ? { threads } : {}) }, {
        progress: (l) => void process.stderr.write(l), warn: (l) => void process.stderr.write(l), summary: (r) => void process.stderr.write(text(r)),
      });
      const l = startBatchLoop(everyMs, async (n, signal) => void (await once(` run ${n}`, signal)), { say }, {
        waitForFirst: flags.untilIdle === true,
        onRunEnd: (_n, startedAt, ok) => {
          if (!flags.untilIdle || speedEnd === null || startedAt < speedEnd.at) return;
          l.stop(false);
          finish(!ok ? 1 : speedEnd.code);
        },
      });
      l.done.catch((err: unknown) => {
        say(`topo: ${(err as Error).message}`);
        finish(2);
      });
      loop = l;
    }

    if (url !== null && !isLoopback(host)) say(`[up] ${noAuthWarning(host, 'API and dashboard')}`);
    say(`[up] ${name}: speed layer${inMemory ? ' alone' : ', batch loop, serving and dashboard'} (pid ${process.pid}; Ctrl-C stops ${inMemory ? 'it' : 'them all'})`);
    if (url !== null) {
      say(`[up]   dashboard    ${url}/ui/ (analytics: ${url}/ui/analytics)`);
      say(`[up]   API          ${url}/api/views (also /api/query, /api/top, /api/keys)`);
    }
    say(`[up]   Redis        ${conn.display}`);
    say(`[up]   master data  ${resolve(master)}`);
    if (!inMemory) say(`[up]   batch        ${flags.untilIdle ? 'one run once the input is consumed (--until-idle)' : everyMs === 0 ? 'continuously, one run after another' : `every ${flags.every ?? DEFAULT_EVERY}, the first now`}`);
    await stdin?.prepare();
    if (stopWhy === null) speed.start();
    stdin?.start().catch((err: unknown) => say(`[up] stdin: ${(err as Error).message}; the speed layer has what was appended before`));

    await stop;
    // At once: the speed layer gets its second SIGTERM (it exits without draining), a batch
    // run under way is left as a killed one (nothing published; its lease ends by its TTL).
    forced = () => {
      void speed!.stop(true);
      lock.release();
      process.exit(1);
    };
    if (stopWhy !== null) say(`[up] ${stopWhy}: stopping: the speed layer drains${loop ? ', a batch run under way is aborted (nothing of it is published), the server finishes its requests' : ''} (again to stop at once)`);
    else say(`[up] stopping`);
    loop?.stop(true);
    stdin?.close();
    const [speedCode, batch] = await Promise.all([speed.stop(), loop?.done.catch(() => 'failed')]);
    say(`[up] speed layer stopped${speedCode === null ? '' : ` (exit ${speedCode})`}${batch ? `; batch loop ${batch}` : ''}`);
    await serving?.close(DRAIN_MS);
    serving = null;
    say('[up] stopped');
    return outcome ?? 0;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    if (config['input'] === '-') process.stdin.destroy();
    await serving?.close(0);
    redis?.disconnect();
    await release();
    lock.release();
  }
}
