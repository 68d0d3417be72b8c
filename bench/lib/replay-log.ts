/**
 * The shipped access log replayed to any size: each loop shifts every timestamp by the log's
 * span (plus a minute), so no event repeats another (nothing is a duplicate) and the views
 * fill many more hours. Used by the pageviews scenarios and the batch benchmarks.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const STAMP = /\[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\]/;

function parseStamp(m: RegExpExecArray): number {
  const [, d, mon, y, h, mi, s, z] = m;
  const off = (z![0] === '-' ? -1 : 1) * (Number(z!.slice(1, 3)) * 60 + Number(z!.slice(3))) * 60_000;
  return Date.UTC(Number(y), MONTHS.indexOf(mon!), Number(d), Number(h), Number(mi), Number(s)) - off;
}

function formatStamp(t: number): string {
  const d = new Date(t);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `[${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000]`;
}

/** Write `lines` lines of the log, looped with shifted timestamps, to `out`. */
export async function writeReplay(logPath: string, out: string, lines: number): Promise<void> {
  const src = readFileSync(logPath, 'utf8').split('\n').filter((l) => l.length > 0);
  const stamps = src.map((l) => {
    const m = STAMP.exec(l);
    return m ? parseStamp(m) : null;
  });
  const known = stamps.filter((t): t is number => t !== null);
  const span = Math.max(...known) - Math.min(...known) + 60_000;
  const ws = createWriteStream(out);
  for (let i = 0; i < lines; i++) {
    const k = Math.floor(i / src.length);
    const j = i % src.length;
    const t = stamps[j];
    const line = t === null || t === undefined || k === 0 ? src[j]! : src[j]!.replace(STAMP, formatStamp(t + k * span));
    if (!ws.write(`${line}\n`)) await once(ws, 'drain');
  }
  ws.end();
  await once(ws, 'finish');
}

// As a script (`node replay-log.ts LOG OUT N` through a TS loader). Matched on this file's own
// name: bundled into bench/run.ts, import.meta.url is the bundle's, which is also argv[1].
if (/(^|[\\/])replay-log\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  const [log, out, n] = process.argv.slice(2);
  await writeReplay(log!, out!, Number(n));
}
