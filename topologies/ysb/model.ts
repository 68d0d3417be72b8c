/**
 * The YSB application's declarations: its fact (an ad event, kept as it arrived), its input
 * format (the benchmark's JSON line), its one view (views per campaign per 10 s event-time
 * window) and how `topo batch` recomputes that view from the master dataset.
 */
import { readFileSync } from 'node:fs';
import { defineView } from '../../src/views/index.js';
import { accept, defineBatchInput, defineDataset, defineFormat, reject } from '../../src/batch/index.js';
import { AD_TYPES, EVENT_TYPES, WINDOW_MS } from './gen.mjs';
import { adTableFile } from './setup.mjs';

/** One ad event as the benchmark sends it, with the id topo gives it (where it came from). */
export interface AdEvent {
  readonly id: string;
  readonly user_id: string;
  readonly page_id: string;
  readonly ad_id: string;
  readonly ad_type: string;
  readonly event_type: string;
  /** Epoch ms as a string of digits, as the benchmark writes it. */
  readonly event_time: string;
  readonly ip_address: string;
}

/** A view after the join: the campaign it counts for, its event time, the fact's id. */
export interface CampaignView {
  readonly campaign: string;
  readonly time: number;
  readonly id: string;
}

const FIELDS = ['user_id', 'page_id', 'ad_id', 'ad_type', 'event_type', 'event_time', 'ip_address'] as const;

/** Why a parsed JSON value is not an ad event, or null. */
export function eventProblem(v: Record<string, unknown>): string | null {
  for (const f of FIELDS) {
    if (!(f in v)) return `missing field '${f}'`;
    if (typeof v[f] !== 'string' || v[f] === '') return `field '${f}' must be a non-empty string, got ${JSON.stringify(v[f])}`;
  }
  if (!/^\d{1,15}$/.test(v['event_time'] as string)) return `event_time must be epoch milliseconds, got '${String(v['event_time'])}'`;
  if (!EVENT_TYPES.includes(v['event_type'] as string)) return `unknown event_type '${String(v['event_type'])}' (${EVENT_TYPES.join(', ')})`;
  if (!AD_TYPES.includes(v['ad_type'] as string)) return `unknown ad_type '${String(v['ad_type'])}' (${AD_TYPES.join(', ')})`;
  return null;
}

/** The facts: `<master>/ysb-events/date=YYYY-MM-DD/part-*.jsonl`, every event (views, clicks, purchases). */
export const ysbEvents = defineDataset<AdEvent>({
  name: 'ysb-events',
  eventTime: (e) => Number(e.event_time),
  id: (e) => e.id,
  validate: eventProblem,
  // Keys in one order: equal facts give equal bytes whatever order the JSON came in.
  encode: (e) => JSON.stringify({ id: e.id, user_id: e.user_id, page_id: e.page_id, ad_id: e.ad_id, ad_type: e.ad_type, event_type: e.event_type, event_time: e.event_time, ip_address: e.ip_address }),
});

/** Parse one benchmark line; `id` is where it came from (a stream entry, a generated event number, file:line). */
export function parseEvent(line: string, id: string): { ok: true; event: AdEvent } | { ok: false; reason: string } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, reason: 'not a JSON object' };
  const problem = eventProblem(v as Record<string, unknown>);
  if (problem !== null) return { ok: false, reason: problem };
  const o = v as Record<string, string>;
  return { ok: true, event: { id, user_id: o['user_id']!, page_id: o['page_id']!, ad_id: o['ad_id']!, ad_type: o['ad_type']!, event_type: o['event_type']!, event_time: o['event_time']!, ip_address: o['ip_address']! } };
}

/** `--format ysb` for `topo ingest` and `topo produce`: one benchmark JSON line; its id is `<file>:<line>`. */
export const ysbJson = defineFormat<AdEvent>({
  name: 'ysb',
  dataset: 'ysb-events',
  parse: (line, at) => {
    const r = parseEvent(line, at.id);
    return r.ok ? accept(r.event) : reject(r.reason);
  },
});

/** Views per campaign per 10 s event-time window: the benchmark's `seen_count`. */
export const campaignsView = defineView<CampaignView>({
  name: 'campaigns',
  aggregation: { kind: 'count' },
  keyOf: (e) => e.campaign,
  timeOf: (e) => e.time,
  bucketMs: WINDOW_MS,
  // The original drops nothing: an event up to 60 s late still counts in its window.
  allowedLatenessMs: 5 * 60_000,
});


let adTable: Record<string, string> | null = null;
function campaignOf(ad: string): string | undefined {
  // Read once per batch thread: the table is a file, not a dataset a side input could read (see docs/ysb.md).
  adTable ??= JSON.parse(readFileSync(adTableFile(), 'utf8')) as Record<string, string>;
  return adTable[ad];
}

/** `topo batch`: keep views, join ad -> campaign from the setup's table; an event counts once by its id. */
export const ysbBatchInput = defineBatchInput<CampaignView, AdEvent>({
  dataset: 'ysb-events',
  eventOf: (e) => {
    if (e.event_type !== 'view') return null;
    const campaign = campaignOf(e.ad_id);
    return campaign === undefined ? null : { campaign, time: Number(e.event_time), id: e.id };
  },
  groupOf: (e) => e.campaign,
  identityOf: (e) => e.id,
});
