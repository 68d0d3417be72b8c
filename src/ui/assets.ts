/**
 * The dashboard's static files: plain HTML, JS and CSS shipped in the package under
 * src/ui/static (no build step at run time), and uPlot from its own package, resolved at run
 * time so the version installed is the one served. Files are read once and kept (a few
 * hundred KB at most). Only names in that folder or the two uPlot files are served: a
 * request can never reach another path on disk.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * src/ui/static next to this module when running from src (tests), or from dist/ui back to
 * the package's src/ui/static (package.json ships src).
 */
function staticDir(): string {
  const candidates = [new URL('./static/', import.meta.url), new URL('../../src/ui/static/', import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((d) => existsSync(join(d, 'topology.html')));
  if (!found) throw new Error(`dashboard files not found (looked in ${candidates.join(', ')}); is the package's src/ui/static shipped?`);
  return found;
}

const UPLOT: Readonly<Record<string, string>> = {
  'uPlot.iife.min.js': 'uplot/dist/uPlot.iife.min.js',
  'uPlot.min.css': 'uplot/dist/uPlot.min.css',
};

const SAFE_NAME = /^[a-z0-9][a-z0-9-]*\.(?:html|js|css|png|svg)$/;

export class Assets {
  private readonly dir = staticDir();
  private readonly require = createRequire(import.meta.url);
  private readonly cache = new Map<string, Asset>();

  /** The file called `name` (e.g. `topology.js`, `uPlot.min.css`), or null when there is none. */
  get(name: string): Asset | null {
    const hit = this.cache.get(name);
    if (hit) return hit;
    // Misses are not cached: a client asking for random names must not grow the map.
    const asset = this.load(name);
    if (asset) this.cache.set(name, asset);
    return asset;
  }

  private load(name: string): Asset | null {
    let path: string | null = null;
    if (UPLOT[name]) path = this.require.resolve(UPLOT[name]);
    else if (SAFE_NAME.test(name)) path = join(this.dir, name);
    if (path === null || !existsSync(path)) return null;
    return { type: TYPES[extname(path)] ?? 'application/octet-stream', body: readFileSync(path) };
  }
}
