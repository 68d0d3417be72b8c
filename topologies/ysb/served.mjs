// What `topo query` answers for every campaign, read through one `topo serve` (the query
// API over HTTP) instead of a hundred `topo query` processes: the same merge of the batch
// view and the realtime view, per bucket, with the side that answered it.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed `topo` (the package's bin), found through the package's own entry. */
function topoBin() {
  return join(dirname(fileURLToPath(import.meta.resolve('topo-streams'))), 'cli', 'bin.js');
}

/** Start `topo serve` on a free port; resolves with its URL once it listens. */
function serve(url, topology) {
  const child = spawn(process.execPath, [topoBin(), 'serve', '--port', '0', '-t', topology, '--redis', url], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`topo serve did not start within 60 s: ${err}`));
    }, 60_000);
    child.stderr.on('data', (d) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ base: m[1], stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM')))) });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`topo serve exited ${code}: ${err.trim()}`));
    });
  });
}

/**
 * Map campaign -> Map windowStart -> {value, source} over [from, to] (epoch ms, window
 * starts), as `topo query campaigns <campaign> --from --to` answers it.
 */
export async function readServed({ url, topology, campaigns, from, to }) {
  const s = await serve(url, topology);
  try {
    const out = new Map();
    const iso = (ms) => new Date(ms).toISOString();
    let next = 0;
    const lane = async () => {
      while (next < campaigns.length) {
        const c = campaigns[next++];
        const res = await fetch(`${s.base}/api/query?view=campaigns&key=${encodeURIComponent(c)}&from=${iso(from)}&to=${iso(to)}`);
        const body = await res.json();
        if (res.status !== 200) throw new Error(`topo serve answered ${res.status} for campaign ${c}: ${body.error}`);
        out.set(c, new Map(body.buckets.map((b) => [Date.parse(b.start), { value: b.value, source: b.source }])));
      }
    };
    await Promise.all(Array.from({ length: 8 }, lane));
    return out;
  } finally {
    await s.stop();
  }
}
