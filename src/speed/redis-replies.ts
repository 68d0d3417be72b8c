/** Decoding Redis replies the same way wherever views are read (realtime store and serving layer); a cell's own reply is its kind's (src/views/kinds/). */
import type { TopEntry } from './store.js';

/** WITHSCORES replies come flat (RESP2: member, score, ...) or as pairs (RESP3): accept both. */
export function withScores(reply: unknown): TopEntry[] {
  const r = (reply ?? []) as Array<string | [string, string | number]>;
  const out: TopEntry[] = [];
  if (r.length > 0 && Array.isArray(r[0])) for (const [key, score] of r as Array<[string, string | number]>) out.push({ key, score: Number(score) });
  else for (let i = 0; i < r.length; i += 2) out.push({ key: r[i] as string, score: Number(r[i + 1]) });
  return out;
}

