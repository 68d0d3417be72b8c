/**
 * The `topo` command line. Commands parse flags and call into the runtime; no logic here.
 */
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { collect, DEFAULT_EVERY, UsageError } from './options.js';
import { addRedisTlsFlags } from './redis-flags.js';

// Each command's module is loaded when the command runs: `topo query` then loads neither the
// runtime, the batch runner nor esbuild (a query within 100 ms of process start, issue 15).
type Module<K extends string> = Record<K, (...args: never[]) => Promise<number>>;
function lazy<M extends Module<K>, K extends string & keyof M>(load: () => Promise<M>, name: K): M[K] {
  return (async (...args: Parameters<M[K]>) => (await load())[name](...args)) as M[K];
}
const runCommand = lazy(() => import('./run.js'), 'runCommand');
const validateCommand = lazy(() => import('./validate.js'), 'validateCommand');
const queryCommand = lazy(() => import('./query.js'), 'queryCommand');
const topCommand = lazy(() => import('./query.js'), 'topCommand');
const keysCommand = lazy(() => import('./query.js'), 'keysCommand');
const batchCommand = lazy(() => import('./batch.js'), 'batchCommand');
const ingestCommand = lazy(() => import('./ingest.js'), 'ingestCommand');
const compactCommand = lazy(() => import('./compact.js'), 'compactCommand');
const serveCommand = lazy(() => import('./serve.js'), 'serveCommand');
const produceCommand = lazy(() => import('./produce.js'), 'produceCommand');
const trimCommand = lazy(() => import('./trim.js'), 'trimCommand');
const redisCommand = lazy(() => import('./redis.js'), 'redisCommand');
const upCommand = lazy(() => import('./up.js'), 'upCommand');

const CLUSTER_FLAG = '--redis-cluster <urls>';
const CLUSTER_HELP = 'views in a Redis Cluster: node URLs, comma-separated or repeated (default REDIS_CLUSTER_URLS)';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command('topo')
    .description('Storm-style stream topologies on Node.js worker threads')
    .version(version())
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

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
      code = await runCommand(file, flags);
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
      code = await validateCommand(file, flags);
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
      code = await batchCommand(file, flags);
    });

  // No commander default for -t: a missing default file must say how to name one (query.ts).
  const topologyFlag = (c: Command): Command =>
    c.option('-t, --topology <file>', 'topology file whose views to read (default topologies/pageviews.ts)');
  const rangeFlags = (c: Command): Command =>
    c
      .option('--from <time>', 'range start (ISO date-time, UTC unless an offset is given; default: a day before the end)')
      .option('--to <time>', "range end (default: the end of the latest bucket the view holds, else now)");
  const readFlags = (c: Command, range = true): Command =>
    (range ? rangeFlags(topologyFlag(c)) : topologyFlag(c))
      .option('--json', 'print one JSON object')
      .option('--redis <url>', 'Redis holding the views (default REDIS_URL, else the private redis-server)')
      .option('--redis-timeout <time>', 'how long to retry an unreachable Redis', '30s')
      .option(CLUSTER_FLAG, CLUSTER_HELP, collect);

  readFlags(program.command('query').description("a key's value per bucket and over the range")
    .argument('<view>', 'view name (e.g. pageviews, uniques, bounces)')
    .argument('<key>', 'the key (normalised as the view does, e.g. a URL)'))
    .action(async (view: string, key: string, flags) => {
      code = await queryCommand(view, key, flags);
    });
  readFlags(program.command('top').description('the keys with the highest values over a range')
    .argument('<view>', 'view name')
    .option('-n <count>', 'how many keys', '10'))
    .action(async (view: string, flags) => {
      code = await topCommand(view, flags);
    });
  // keys lists every key of every bucket: a range was accepted and ignored, so it is refused
  // (hidden options, so the refusal can say why rather than "unknown option").
  readFlags(program.command('keys').description("every key a view holds, most recent first (no range: every bucket)").argument('<view>', 'view name'), false)
    .addOption(new Option('--from <time>').hideHelp())
    .addOption(new Option('--to <time>').hideHelp())
    .action(async (view: string, flags) => {
      if (flags.from !== undefined || flags.to !== undefined) {
        throw new UsageError(`topo keys lists every key of every bucket the view holds: ${flags.from !== undefined ? '--from' : '--to'} does not apply (topo top VIEW --from ... --to ... ranks the keys of a range)`);
      }
      code = await keysCommand(view, flags);
    });

  program
    .command('serve')
    .description('HTTP API over the views (the JSON of topo query/top/keys) and the dashboard under /ui/ (127.0.0.1 only unless --host)')
    .option('-t, --topology <file>', 'topology file whose views to serve (default topologies/pageviews.ts)')
    .option('-p, --port <n>', 'port (0: any free port)', '8080')
    .option('--host <host>', 'address to bind; anything but loopback is reachable without authentication', '127.0.0.1')
    .option('--redis <url>', 'Redis holding the views (default REDIS_URL, else the private redis-server)')
    .option('--redis-timeout <time>', 'how long to retry an unreachable Redis at start', '30s')
    .option(CLUSTER_FLAG, CLUSTER_HELP, collect)
    .option('--verbose', 'log one line per request on stderr (and stack traces behind errors, as for every command)')
    .action(async (flags) => {
      code = await serveCommand(flags);
    });

  program
    .command('ingest')
    .description("append an input file (or stdin: -) to the master dataset, parsed by a format the topology exports; bad lines are reported, not written")
    .argument('<file>', "input file, or '-' for stdin")
    .option('-t, --topology <file>', 'topology module whose formats and datasets to use (default topologies/pageviews.ts)')
    .option('--format <format>', "input format: a name in the topology's formats (pageviews: apache, jsonl, or equiv for equiv edges)")
    .option('--master <dir>', 'master dataset root (default ./data/master, or -c master=DIR)')
    .option('-c, --config <key=value>', 'set a config key (master=DIR)', collect)
    .option('--host <host>', 'parser option host: page host of log lines (pageviews: default semicomplete.com)')
    .option('--rejects <path>', 'file for rejected lines', '.topo/rejects/ingest.jsonl')
    .option('--gzip', 'write gzip parts (.jsonl.gz)')
    .option('--max-bytes <n>', 'roll a part at this size (default 64 MB)')
    .option('--max-age <time>', 'roll a part at this age (default 5m)')
    .option('--json', 'print the summary as one JSON object')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (file: string, flags) => {
      code = await ingestCommand(file, flags);
    });

  program
    .command('compact')
    .description("consolidate a master dataset partition's small files into one (the only removal the dataset allows)")
    .option('--master <dir>', 'master dataset root (default ./data/master, or -c master=DIR)')
    .option('-c, --config <key=value>', 'set a config key (master=DIR)', collect)
    .option('--dataset <name>', "dataset folder to compact (default: the master root's only one)")
    .option('--date <YYYY-MM-DD>', 'partition to compact (repeatable)', collect)
    .option('--all', 'every partition')
    .option('--min-files <n>', 'compact a partition only with at least this many small files', '2')
    .option('--gzip', 'write the compacted part gzipped')
    .option('--json', 'print the results as one JSON object')
    .action(async (flags) => {
      code = await compactCommand(flags);
    });

  program
    .command('produce')
    .description('append a log or JSON Lines file (or stdin: -) to a Redis stream; lines that do not parse are reported, not appended')
    .argument('<file>', "input file, or '-' for stdin")
    .requiredOption('--stream <name>', 'stream key')
    .option('-t, --topology <file>', 'topology module whose formats and datasets to use (default topologies/pageviews.ts)')
    .option('--format <format>', "input format: a name in the topology's formats (pageviews: apache or jsonl)")
    .option('--host <host>', 'parser option host: page host of log lines (pageviews: default semicomplete.com)')
    .option('--chunk <n>', 'XADDs per pipeline', '1000')
    .option('--rejects <path>', 'file for rejected lines', '.topo/rejects/produce.jsonl')
    .option('--redis <url>', 'Redis holding the stream (default REDIS_URL, else the private redis-server)')
    .option(CLUSTER_FLAG, 'the stream in a Redis Cluster: node URLs, comma-separated or repeated (default REDIS_CLUSTER_URLS)', collect)
    .option('--redis-timeout <time>', 'how long to retry an unreachable Redis at start', '30s')
    .option('--json', 'print the summary as one JSON object')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (file: string, flags) => {
      code = await produceCommand(file, flags);
    });

  program
    .command('trim')
    .description('remove the stream entries every consumer group has acked (XTRIM MINID below the oldest pending or undelivered entry)')
    .requiredOption('--stream <name>', 'stream key')
    .option('--dry-run', 'print what would be removed')
    .option('--redis <url>', 'Redis holding the stream (default REDIS_URL, else the private redis-server)')
    .option(CLUSTER_FLAG, 'the stream in a Redis Cluster: node URLs, comma-separated or repeated (default REDIS_CLUSTER_URLS)', collect)
    .option('--redis-timeout <time>', 'how long to retry an unreachable Redis at start', '30s')
    .option('--json', 'print the result as one JSON object')
    .action(async (flags) => {
      code = await trimCommand(flags);
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
      code = await upCommand(file, flags);
    });

  program
    .command('redis')
    .description("the private redis-server of this folder (./.topo/redis), which stays up between commands: 'status' or 'stop'")
    .argument('<action>', 'status | stop')
    .option('--json', 'print the status as one JSON object')
    .action(async (action: string, flags) => {
      code = await redisCommand(action, flags);
    });

  addRedisTlsFlags(program);
  // On every command, not the program: a program option would take serve's own --verbose.
  for (const c of program.commands) {
    if (!c.options.some((o) => o.long === '--verbose')) c.option('--verbose', 'show the stack trace behind an error (errors are otherwise told by their message and the line of your file alone)');
  }

  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every parse error is bad usage.
      return err.exitCode === 0 ? 0 : 2;
    }
    const { errorExit } = await import('./run.js');
    const { code: exit, message } = errorExit(err, argv.includes('--verbose'));
    process.stderr.write(`topo: ${message}\n`);
    return exit;
  }
}
