/**
 * `topo up FILE -c input=-`: the speed layer's input from stdin. A file spout cannot read a
 * pipe (a restarted thread or process reads its input again from the start), so stdin goes
 * where a restart finds it: a Redis stream, appended as `topo produce -` does (each line
 * checked by the topology's input format, rejects reported with their line), which the speed
 * layer reads through its consumer group (`-c stream=NAME`, so the topology must read one, as
 * pageviews does). The stream is this folder's own (`topo:<topology>:up-stdin`), emptied when
 * `topo up` starts; with `--until-idle` the run ends once stdin is consumed and the stream
 * has had nothing new for 3 s.
 */
import { streamCheck } from '../batch/stream-check.js';
import { connectStream, streamTarget, type StreamClient } from '../spouts/stream-connect.js';
import { produce, type ProduceStats } from '../spouts/stream-produce.js';
import { chooseInput } from './input-format.js';
import { fmt } from './progress.js';

export const STDIN_IDLE_MS = 3000;

export interface StdinFeed {
  /** `-c` pairs for the speed layer in place of `input=-`. */
  readonly config: readonly string[];
  /** Empty the stream (before the speed layer starts). */
  prepare(): Promise<void>;
  /** Appending (resolves when stdin ends; rejects on a Redis failure). */
  start(): Promise<ProduceStats>;
  /** Stop reading stdin (shutdown). */
  close(): void;
}

/** Checks `--format` now (bad usage before anything starts); `start` begins reading stdin. */
export async function stdinFeed(o: { file: string; format?: string; namespace: string; url: string; untilIdle: boolean; say: (line: string) => void }): Promise<StdinFeed> {
  const { format, dataset } = await chooseInput({ topology: o.file, ...(o.format !== undefined ? { format: o.format } : {}) });
  const stream = `topo:${o.namespace}:up-stdin`;
  const rejectsPath = '.topo/rejects/up-stdin.jsonl';
  let client: StreamClient | null = null;
  return {
    config: [`stream=${stream}`, 'stream.start=0', ...(o.untilIdle ? [`stream.idleExitMs=${STDIN_IDLE_MS}`] : [])],
    async prepare() {
      client = connectStream(streamTarget({ redis: o.url }), { maxRetriesPerRequest: 3 });
      // A stream of an earlier session (and its group) would be resumed, not read from the start.
      await client.del(stream);
    },
    async start() {
      if (client === null) throw new Error('stdin feed not prepared');
      o.say(`[up]   input        stdin -> Redis stream '${stream}' (rejected lines: ${rejectsPath})`);
      let shown = 0;
      const stats = await produce({
        client, input: '-', stream, rejectsPath, ...streamCheck(format, dataset, {}),
        onReject: (r) => {
          if (shown++ < 20) o.say(`[up] stdin:${r.lineNumber}: ${r.reason} (not appended)`);
        },
        onProgress: (s) => o.say(`[up] stdin: ${fmt(s.lines)} lines, ${fmt(s.appended)} appended, ${s.rejected} rejected`),
        progressMs: 5000,
      });
      o.say(`[up] stdin ended: ${fmt(stats.lines)} lines, ${fmt(stats.appended)} appended to '${stream}', ${stats.rejected} rejected, ${stats.duplicates} duplicate`);
      return stats;
    },
    close() {
      process.stdin.destroy();
      client?.disconnect();
    },
  };
}
