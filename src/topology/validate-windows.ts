/**
 * Build-time checks of window bolts, on the plain-data plan: the window's shape, its
 * timestamp field against the input streams, and Storm's rule that tuples held by a window
 * must not time out before the window can fire. Each message names the bolt.
 */
import { WINDOW_CONFIG_KEY, type WindowSpec } from '../api/windowed.js';
import type { ComponentDef, Plan } from './plan.js';
import { inputsLacking } from './input-fields.js';

/** The runtime's defaults (runtime/config.ts), for a plan whose config does not set them. */
const DEFAULT_MESSAGE_TIMEOUT_MS = 30000;
const DEFAULT_MAX_SPOUT_PENDING = 1000;

const finiteNonNegative = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const positive = (v: unknown, integer: boolean): boolean =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 && (!integer || Number.isInteger(v));

/** The window spec of a component, if it is a window bolt. */
export function windowSpecIn(c: ComponentDef): WindowSpec | undefined {
  const spec = c.config[WINDOW_CONFIG_KEY];
  return typeof spec === 'object' && spec !== null ? (spec as WindowSpec) : undefined;
}

function checkShape(where: string, s: WindowSpec, errors: string[]): boolean {
  for (const p of s.optionProblems) errors.push(`${where}: ${p}`);
  if (s.by === 'invalid') return false;
  const unit = s.by === 'count' ? ' tuples' : ' ms';
  const integer = s.by === 'count';
  const kind = s.by === 'count' ? 'a positive integer' : 'a positive number of ms';
  let ok = true;
  if (!positive(s.length, integer)) {
    errors.push(`${where}: window length must be ${kind}, got ${String(s.length)}`);
    ok = false;
  }
  // A tumbling window's slide is its length: its problem is reported once, as the length's.
  if (!positive(s.slide, integer) && !Object.is(s.slide, s.length)) {
    errors.push(`${where}: window slide must be ${kind}, got ${String(s.slide)}`);
    ok = false;
  }
  if (!positive(s.slide, integer)) ok = false;
  else if (ok && s.length < s.slide) {
    errors.push(`${where}: window length (${s.length}${unit}) is shorter than its slide (${s.slide}${unit}); tuples between windows would belong to none`);
    ok = false;
  }
  if (!finiteNonNegative(s.lagMs)) errors.push(`${where}: window lagMs must be a non-negative number, got ${String(s.lagMs)}`);
  if (!finiteNonNegative(s.allowedLatenessMs)) {
    errors.push(`${where}: window allowedLatenessMs must be a non-negative number, got ${String(s.allowedLatenessMs)}`);
  }
  if (s.idleTimeoutMs !== undefined && !positive(s.idleTimeoutMs, false)) {
    errors.push(`${where}: window idleTimeoutMs must be a positive number, got ${String(s.idleTimeoutMs)}`);
  }
  if (!positive(s.watermarkIntervalMs, false)) {
    errors.push(`${where}: window watermarkIntervalMs must be a positive number, got ${String(s.watermarkIntervalMs)}`);
  }
  if (typeof s.lateStream !== 'string' || s.lateStream === '' || s.lateStream.startsWith('__')) {
    errors.push(`${where}: window lateStream must be a non-empty stream id not starting with '__', got ${JSON.stringify(s.lateStream)}`);
  }
  if (s.timestampField !== undefined && (typeof s.timestampField !== 'string' || s.timestampField === '')) {
    errors.push(`${where}: window timestampField must be a non-empty field name, got ${JSON.stringify(s.timestampField)}`);
  }
  if (s.by === 'count' && s.eventTime) {
    errors.push(`${where}: count windows count arrivals; a timestampField or timestamp needs a time window (durationMs)`);
  }
  if (!s.eventTime && (s.lagMs > 0 || s.allowedLatenessMs > 0 || s.idleTimeoutMs !== undefined)) {
    errors.push(`${where}: lagMs, allowedLatenessMs and idleTimeoutMs apply to event time only; set timestampField or timestamp`);
  }
  return ok;
}

/** Every input stream of the bolt must declare the timestamp field. */
function checkTimestampField(where: string, c: ComponentDef, field: string, byId: Map<string, ComponentDef>, errors: string[]): void {
  for (const m of inputsLacking(c, field, byId)) {
    errors.push(`${where}: window timestampField '${field}' is not declared by '${m.component}' stream '${m.stream}' (fields: ${m.fields})`);
  }
}

/**
 * Tuples stay unacked while a window holds them. For time windows that is up to
 * length + slide (Storm's rule), plus the lag and the allowed lateness in event time,
 * which keep a window open longer; the message timeout must exceed it or every held tuple
 * would time out and replay. For count windows the spouts' pending limit must leave room
 * for a full window, or the spouts stop before the first one fills.
 */
function checkHolding(where: string, s: WindowSpec, config: Readonly<Record<string, unknown>>, spoutTasks: number, errors: string[]): void {
  if (config['ackers'] === 0 || config['enableMessageTimeouts'] === false) return;
  if (s.by === 'time') {
    const timeout = typeof config['messageTimeoutMs'] === 'number' ? config['messageTimeoutMs'] : DEFAULT_MESSAGE_TIMEOUT_MS;
    const held = s.length + s.slide + (s.eventTime ? s.lagMs + s.allowedLatenessMs : 0);
    const terms = s.eventTime ? 'length + slide + lagMs + allowedLatenessMs' : 'length + slide';
    if (!(timeout > held)) {
      errors.push(`${where}: messageTimeoutMs (${timeout} ms) must exceed the window's ${terms} (${held} ms), or held tuples time out and replay`);
    }
    return;
  }
  const pending = typeof config['maxSpoutPending'] === 'number' ? config['maxSpoutPending'] : DEFAULT_MAX_SPOUT_PENDING;
  if (s.length > pending * spoutTasks) {
    errors.push(`${where}: a count window of ${s.length} tuples can never fill: at most ${pending * spoutTasks} trees are pending (maxSpoutPending ${pending} x ${spoutTasks} spout task(s))`);
  }
}

/**
 * Problems with the window bolts of a plan. `config` is the configuration the run will use
 * (the plan's own at build; the merged one at submit, so `-c messageTimeoutMs=` is checked too).
 */
export function validateWindows(plan: Plan, config: Readonly<Record<string, unknown>> = plan.config): string[] {
  const errors: string[] = [];
  const byId = new Map(plan.components.map((c) => [c.id, c] as const));
  const spoutTasks = plan.components.filter((c) => c.kind === 'spout' && !c.system).reduce((n, c) => n + c.parallelism, 0);
  for (const c of plan.components) {
    const spec = windowSpecIn(c);
    if (!spec) continue;
    const where = `bolt '${c.id}'`;
    const ok = checkShape(where, spec, errors);
    if (typeof spec.timestampField === 'string' && spec.timestampField !== '') checkTimestampField(where, c, spec.timestampField, byId, errors);
    if (ok) checkHolding(where, spec, config, Math.max(1, spoutTasks), errors);
  }
  return errors;
}
