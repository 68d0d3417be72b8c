/**
 * The commands that move data in and out: `ingest`, `compact`, `produce`, `trim` and `redis`.
 */
import type { Command } from 'commander';
import { collect } from './options.js';
import { CLUSTER_FLAG, lazy, type Done } from './command-kit.js';

const ingestCommand = lazy(() => import('./ingest.js'), 'ingestCommand');
const compactCommand = lazy(() => import('./compact.js'), 'compactCommand');
const produceCommand = lazy(() => import('./produce.js'), 'produceCommand');
const trimCommand = lazy(() => import('./trim.js'), 'trimCommand');
const redisCommand = lazy(() => import('./redis.js'), 'redisCommand');

export function addDataCommands(program: Command, done: Done): void {
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
      done(await ingestCommand(file, flags));
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
      done(await compactCommand(flags));
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
      done(await produceCommand(file, flags));
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
      done(await trimCommand(flags));
    });

  program
    .command('redis')
    .description("the private redis-server of this folder (./.topo/redis), which stays up between commands: 'status' or 'stop'")
    .argument('<action>', 'status | stop')
    .option('--json', 'print the status as one JSON object')
    .action(async (action: string, flags) => {
      done(await redisCommand(action, flags));
    });
}
