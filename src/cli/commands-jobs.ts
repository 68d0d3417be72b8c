/**
 * The commands that run a topology: `run`, `validate`, `batch` and `up`.
 */
import type { Command } from 'commander';
import { collect, DEFAULT_EVERY } from './options.js';
import { CLUSTER_FLAG, CLUSTER_HELP, lazy, type Done } from './command-kit.js';

const runCommand = lazy(() => import('./run.js'), 'runCommand');
const validateCommand = lazy(() => import('./validate.js'), 'validateCommand');
const batchCommand = lazy(() => import('./batch.js'), 'batchCommand');
const upCommand = lazy(() => import('./up.js'), 'upCommand');

export function addJobCommands(program: Command, done: Done): void {
  program
    .command('run')
    .description('run a topology file (TypeScript or JavaScript) until its spouts are exhausted, --duration passes, or SIGINT')
    .argument('<file>', 'topology file whose default export is builder.build(name)')
    .option('-c, --config <key=value>', 'set a config key (repeatable; JSON values parsed)', collect)
    .option('-w, --workers <n>', 'worker threads (default: available cores)')
    .option('--ackers <n>', 'acker tasks (default: one per worker; 0 turns tracking off)')
    .option('-d, --duration <time>', 'stop the spouts after this long and drain (e.g. 10s, 2m)')
    .option('--chaos <mode>', 'fault injection: kill-worker=<interval>[,max=<kills>] kills a random non-spout worker thread at most once per interval (>= 100ms), each kill waiting for progress (README: CLI)')
    .option('--metrics-interval <time>', 'progress line interval on stderr', '5s')
    .option('--inactive', 'start with the spouts deactivated; `kill -USR2 <pid>` activates them (and toggles again)')
    .option('-q, --quiet', 'no progress output on stderr')
    .option('--json', 'print the run summary as one JSON object (last line of stdout)')
    .option('--allow-failed', 'exit 0 instead of 3 when the input ran out but some trees failed and never completed (status completed-with-failures: dead-lettered, or failed behind a spout that does not replay)')
    .option('--redis <url>', 'Redis for the views (redis:// or rediss://, user and password allowed; default REDIS_URL, else a private redis-server, else in-process)')
    .option('--redis-timeout <time>', 'how long to retry an unreachable Redis at start', '30s')
    .option(CLUSTER_FLAG, CLUSTER_HELP, collect)
    .option('--ui', 'serve the dashboard (live topology page, analytics page, JSON, /metrics) and keep it up after the run until Ctrl-C')
    .option('--ui-port <n>', 'dashboard port (implies --ui; default: a free port, printed on stderr)')
    .option('--host <host>', 'dashboard address (implies --ui; default 127.0.0.1; anything else is reachable without authentication)')
    .action(async (file: string, flags) => {
      done(await runCommand(file, flags));
    });

  program
    .command('validate')
    .description('build a topology file and print its plan (components, streams, edges, tasks per worker)')
    .argument('<file>', 'topology file')
    .option('-c, --config <key=value>', 'set a config key (repeatable)', collect)
    .option('-w, --workers <n>', 'worker threads to plan for')
    .option('--ackers <n>', 'acker tasks')
    .option('--system', 'also show the system components (the acker) and their streams and edges')
    .option('--json', 'print the plan as JSON (the whole plan, system components included)')
    .action(async (file: string, flags) => {
      done(await validateCommand(file, flags));
    });

  program
    .command('batch')
    .description("recompute a topology's views from the master dataset and publish them atomically (or --rollback VIEW)")
    .argument('<file>', 'topology file exporting `views` and `batchInput`')
    .option('--view <name>', 'view to recompute (repeatable; default all the file exports)', collect)
    .option('--since <date>', 'first partition read (YYYY-MM-DD, UTC)')
    .option('--until <date>', 'last partition read (YYYY-MM-DD, UTC)')
    .option('--master <dir>', 'master dataset root (default ./data/master)')
    .option('--threads <n>', 'pool threads (default: available cores)')
    .option('--wait <time>', 'wait this long for another batch run to finish (default: exit 1 at once)')
    .option('--rollback <view>', "make the view's previous batch version current again")
    .option('--every <time>', 'run again every <time> (e.g. 1h; 0: as soon as a run ends) until SIGINT/SIGTERM; a failed run keeps the current versions and is retried with backoff')
    .option('--strict', 'fail (publish nothing) if the dataset has a bad line')
    .option('--json', 'print the run summary as one JSON object')
    .option('-q, --quiet', 'no progress on stderr')
    .option('--redis <url>', 'Redis holding the views (default REDIS_URL, else the private redis-server)')
    .option('--redis-timeout <time>', 'how long to retry an unreachable Redis', '30s')
    .option(CLUSTER_FLAG, 'refused for now: batch views cannot be published into a Redis Cluster yet', collect)
    .action(async (file: string, flags) => {
      done(await batchCommand(file, flags));
    });

  program
    .command('up')
    .description('the whole system until Ctrl-C: the speed layer (topo run FILE, restarted if it fails), the batch loop (topo batch --every), the serving API and the dashboard, on the private redis-server unless --redis')
    .argument('<file>', 'topology file exporting `views` and `batchInput`')
    .option('-c, --config <key=value>', "the speed layer's config, as topo run -c (input=FILE, input=- for stdin, stream=NAME, ...; repeatable)", collect)
    .option('--format <format>', "with -c input=-: the format of stdin's lines (a name in the topology's formats)")
    .option('-w, --workers <n>', 'speed layer worker threads (default: available cores)')
    .option('--ackers <n>', 'speed layer acker tasks')
    .option('--every <time>', `batch run every <time>, from one start to the next (0: back to back)`, DEFAULT_EVERY)
    .option('--until-idle', "stop once the speed layer's input is consumed and one batch run after that published (for scripts and the quick start)")
    .option('--master <dir>', 'master dataset root, for both layers (default ./data/master)')
    .option('--threads <n>', 'batch pool threads (default: available cores)')
    .option('-p, --port <n>', 'API and dashboard port (default 8080, else a free one; 0: a free one)')
    .option('--host <host>', 'address to bind; anything but loopback is reachable without authentication', '127.0.0.1')
    .option('--metrics-interval <time>', "speed layer's progress line interval", '5s')
    .option('--redis <url>', 'Redis for the views (default REDIS_URL, else the private redis-server)')
    .option('--redis-timeout <time>', 'how long to retry an unreachable Redis at start', '30s')
    .action(async (file: string, flags) => {
      done(await upCommand(file, flags));
    });
}
