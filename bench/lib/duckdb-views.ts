/**
 * The pageviews batch views computed by DuckDB (@duckdb/node-api) over the master files as
 * they are, the way a user who reads "DuckDB reads the master files as they are" would:
 * `read_json` of the part files, the URL normaliser applied once per distinct raw URL (a
 * mapping table: it is the application's own rule, and DuckDB has no WHATWG URL parser),
 * duplicates removed by (visitor, normalised URL, ts), then GROUP BY for pageviews and
 * uniques per URL-hour and window functions for visits and bounces per domain-hour.
 * The same rules as `topo batch` with pageviews' batchInput: a record whose URL does not
 * normalise is skipped, the visitor is `user` unless it is null or empty, else `ip`, and
 * only whole buckets up to the watermark (the latest event time; 30 minutes earlier for
 * bounces) are kept.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { normalizeWithDomain } from '../../topologies/pageviews/normalize-url.js';
import { VISIT_GAP_MS } from '../../topologies/pageviews/sessions.js';

const HOUR = 3_600_000;

export interface DuckCells {
  /** url -> bucket start -> value. */
  readonly pageviews: Map<string, Map<number, number>>;
  readonly uniques: Map<string, Map<number, number>>;
  /** domain -> bucket start -> [visits, bounces]. */
  readonly bounces: Map<string, Map<number, [number, number]>>;
}

export interface DuckResult {
  readonly records: number;
  readonly events: number;
  readonly maxTs: number;
  /** Rows (cells) per view. */
  readonly rows: { readonly pageviews: number; readonly uniques: number; readonly bounces: number };
  /** The cells as JS maps, when asked for (the check reads them; the timed run does not). */
  readonly cells: DuckCells | null;
}

export interface DuckOptions {
  readonly threads: number;
  /** count(DISTINCT) instead of approx_count_distinct (the check compares HyperLogLogs with exact counts). */
  readonly exactUniques?: boolean;
  /** Read the result rows back into JS maps. */
  readonly collect?: boolean;
}

/** The three views over `<root>/pageviews/date=*\/part-*.jsonl`, in an in-memory database. */
export async function duckdbViews(root: string, o: DuckOptions): Promise<DuckResult> {
  const db = await DuckDBInstance.create(':memory:', { threads: String(o.threads) });
  const c = await db.connect();
  try {
    const glob = join(root, 'pageviews', 'date=*', 'part-*.jsonl').replaceAll("'", "''");
    // Only the fields the views read; DuckDB still parses each whole line.
    await c.run(`CREATE TEMP TABLE raw AS
      SELECT url, coalesce(nullif("user", ''), ip) AS visitor, ts
      FROM read_json('${glob}', format = 'newline_delimited',
        columns = {id: 'VARCHAR', url: 'VARCHAR', ip: 'VARCHAR', "user": 'VARCHAR', ts: 'BIGINT'})`);
    const urls = (await c.runAndReadAll('SELECT DISTINCT url FROM raw')).getColumns()[0] as string[];
    await c.run('CREATE TEMP TABLE norm (raw VARCHAR, url VARCHAR, domain VARCHAR)');
    const app = await c.createAppender('norm');
    for (const raw of urls) {
      const n = normalizeWithDomain(raw);
      if (n === null) continue;
      app.appendVarchar(raw);
      app.appendVarchar(n.url);
      app.appendVarchar(n.domain);
      app.endRow();
    }
    app.closeSync();
    const [records, maxTs] = (await c.runAndReadAll('SELECT count(*), max(ts) FROM raw')).getRows()[0] as [bigint, bigint];
    const wm = Number(maxTs);
    await c.run(`CREATE TEMP TABLE events AS
      SELECT DISTINCT r.visitor, n.url, n.domain, r.ts FROM raw r JOIN norm n ON r.url = n.raw`);
    const uniques = o.exactUniques ? 'count(DISTINCT visitor)' : 'approx_count_distinct(visitor)';
    // Whole buckets only: those ending at or before the watermark, i.e. starting before its hour.
    await c.run(`CREATE TEMP TABLE pv AS
      SELECT url, ts // ${HOUR} * ${HOUR} AS bucket, count(*) AS views, ${uniques} AS uniques
      FROM events WHERE ts < ${Math.floor(wm / HOUR) * HOUR} GROUP BY url, bucket`);
    // A visit: a visitor's run of pageviews on one domain with gaps under 30 minutes, in the
    // hour of its first pageview; a bounce is a visit of one pageview.
    await c.run(`CREATE TEMP TABLE bo AS
      WITH marked AS (
        SELECT visitor, domain, ts,
          CASE WHEN ts - lag(ts) OVER (PARTITION BY visitor, domain ORDER BY ts) < ${VISIT_GAP_MS} THEN 0 ELSE 1 END AS starts
        FROM events),
      numbered AS (
        SELECT visitor, domain, ts, sum(starts) OVER (PARTITION BY visitor, domain ORDER BY ts ROWS UNBOUNDED PRECEDING) AS visit
        FROM marked),
      visits AS (SELECT domain, min(ts) AS first, count(*) AS hits FROM numbered GROUP BY visitor, domain, visit)
      SELECT domain, first // ${HOUR} * ${HOUR} AS bucket, count(*) AS visits, count(*) FILTER (WHERE hits = 1) AS bounces
      FROM visits WHERE first < ${Math.floor((wm - VISIT_GAP_MS) / HOUR) * HOUR} GROUP BY domain, bucket`);
    const [events, pvRows, boRows] = (await c.runAndReadAll(
      'SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM pv), (SELECT count(*) FROM bo)')).getRows()[0] as bigint[];
    const rows = { pageviews: Number(pvRows), uniques: Number(pvRows), bounces: Number(boRows) };
    return { records: Number(records), events: Number(events), maxTs: wm, rows, cells: o.collect ? await collect(c) : null };
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

type Conn = Awaited<ReturnType<DuckDBInstance['connect']>>;

async function collect(c: Conn): Promise<DuckCells> {
  const put = <V>(m: Map<string, Map<number, V>>, key: string, bucket: number, v: V): void => {
    let byBucket = m.get(key);
    if (byBucket === undefined) m.set(key, (byBucket = new Map()));
    byBucket.set(bucket, v);
  };
  const cells: DuckCells = { pageviews: new Map(), uniques: new Map(), bounces: new Map() };
  for (const [url, bucket, views, uniques] of (await c.runAndReadAll('SELECT url, bucket, views, uniques FROM pv')).getRows() as Array<[string, bigint, bigint, bigint]>) {
    put(cells.pageviews, url, Number(bucket), Number(views));
    put(cells.uniques, url, Number(bucket), Number(uniques));
  }
  for (const [domain, bucket, visits, bounces] of (await c.runAndReadAll('SELECT domain, bucket, visits, bounces FROM bo')).getRows() as Array<[string, bigint, bigint, bigint]>) {
    put(cells.bounces, domain, Number(bucket), [Number(visits), Number(bounces)]);
  }
  return cells;
}
