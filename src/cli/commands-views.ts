/**
 * The commands that read the views: `query`, `top`, `keys` and `serve`.
 */
import { Command, Option } from 'commander';
import { collect, UsageError } from './options.js';
import { CLUSTER_FLAG, CLUSTER_HELP, lazy, type Done } from './command-kit.js';

const queryCommand = lazy(() => import('./query.js'), 'queryCommand');
const topCommand = lazy(() => import('./query.js'), 'topCommand');
const keysCommand = lazy(() => import('./query.js'), 'keysCommand');
const serveCommand = lazy(() => import('./serve.js'), 'serveCommand');

export function addViewCommands(program: Command, done: Done): void {
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
      done(await queryCommand(view, key, flags));
    });
  readFlags(program.command('top').description('the keys with the highest values over a range')
    .argument('<view>', 'view name')
    .option('-n <count>', 'how many keys', '10'))
    .action(async (view: string, flags) => {
      done(await topCommand(view, flags));
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
      done(await keysCommand(view, flags));
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
      done(await serveCommand(flags));
    });
}
