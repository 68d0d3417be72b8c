/**
 * The system rewrite (Storm's `addAcker`): a pure pass over the plan that adds the acker as
 * an ordinary bolt wired on reserved streams, so executors need no acker special cases.
 * Also the upstream-first order of user bolts the runtime uses to finish a bounded run.
 */
import { type ComponentDef, type InputDef, type Plan, type StreamDef } from './plan.js';
import {
  ACK_ACK_STREAM, ACK_FAIL_STREAM, ACK_INIT_STREAM, ACK_RESET_STREAM, ACKER_ID,
  ACKER_FAIL_FIELDS, BOLT_ACK_FIELDS, INIT_FIELDS, ROOT_ONLY_FIELDS,
} from './acker-protocol.js';

/** Runtime settings the rewrite depends on (already validated by the caller). */
export interface SystemOptions {
  readonly ackers: number;
  readonly messageTimeoutMs: number;
  readonly enableMessageTimeouts: boolean;
}

// Frozen because the same definitions are shared by every component of every rewritten plan.
const stream = (id: string, fields: readonly string[], direct: boolean): StreamDef =>
  Object.freeze({ id, fields: Object.freeze([...fields]), direct });

/** What a spout tells the acker when it emits a tracked root: its edge ids and its task. */
const SPOUT_STREAMS = [stream(ACK_INIT_STREAM, INIT_FIELDS, false)];
/** What a bolt tells the acker: the XOR of acked ids (64 bits as two 32-bit halves), fails, resets. */
const BOLT_STREAMS = [
  stream(ACK_ACK_STREAM, BOLT_ACK_FIELDS, false),
  stream(ACK_FAIL_STREAM, ROOT_ONLY_FIELDS, false),
  stream(ACK_RESET_STREAM, ROOT_ONLY_FIELDS, false),
];
/**
 * What the acker tells the spout task that owns a root; direct, since only that task cares.
 * A fail says why (acker-bolt.ts FAIL_*): a spout counts only a bolt's fails against poison input.
 */
const ACKER_STREAMS = [
  stream(ACK_ACK_STREAM, ROOT_ONLY_FIELDS, true),
  stream(ACK_FAIL_STREAM, ACKER_FAIL_FIELDS, true),
  stream(ACK_RESET_STREAM, ROOT_ONLY_FIELDS, true),
];

function withStreams(streams: Readonly<Record<string, StreamDef>>, extra: readonly StreamDef[]) {
  const out: Record<string, StreamDef> = { ...streams };
  for (const s of extra) out[s.id] = s;
  return out;
}

/**
 * Add the acker (`__acker`, parallelism = `ackers`) and its reserved streams to a plan.
 * Spouts send `__ack_init` and bolts `__ack_ack`/`__ack_fail`/`__ack_reset` to it, grouped
 * by root id; it answers each spout task directly. With timeouts enabled the acker ticks
 * every ceil(messageTimeoutMs / 2): with three rotating buckets a tree expires between T
 * and 1.5 T. With `ackers` 0 the plan comes back unchanged (as a new object).
 */
export function addSystemComponents(plan: Plan, opts: SystemOptions): Plan {
  if (!Number.isInteger(opts.ackers) || opts.ackers < 0) {
    throw new RangeError(`ackers must be a non-negative integer, got ${opts.ackers}`);
  }
  if (plan.components.some((c) => c.system)) {
    throw new Error(`plan '${plan.name}' already has system components; add them once`);
  }
  if (opts.ackers === 0) return { ...plan, components: [...plan.components] };
  if (opts.enableMessageTimeouts && !(opts.messageTimeoutMs > 0)) {
    throw new RangeError(`messageTimeoutMs must be positive when timeouts are enabled, got ${opts.messageTimeoutMs}`);
  }

  const ackerInputs: InputDef[] = [];
  const fromAcker: InputDef[] = ACKER_STREAMS.map((s) => ({
    component: ACKER_ID,
    stream: s.id,
    grouping: { type: 'direct' },
  }));
  const components = plan.components.map((c): ComponentDef => {
    const extra = c.kind === 'spout' ? SPOUT_STREAMS : BOLT_STREAMS;
    for (const s of extra) ackerInputs.push({ component: c.id, stream: s.id, grouping: { type: 'ackerRoot' } });
    return {
      ...c,
      streams: withStreams(c.streams, extra),
      inputs: c.kind === 'spout' ? [...c.inputs, ...fromAcker] : [...c.inputs],
    };
  });
  components.push({
    id: ACKER_ID,
    kind: 'bolt',
    basic: false,
    parallelism: opts.ackers,
    streams: withStreams({}, ACKER_STREAMS),
    inputs: ackerInputs,
    config: opts.enableMessageTimeouts ? { tickFrequencyMs: Math.ceil(opts.messageTimeoutMs / 2) } : {},
    system: true,
  });
  return { ...plan, components };
}

/**
 * User components in levels: each level only has components whose user upstreams are all
 * in earlier levels (declaration order within a level). System components and their edges
 * are ignored. Throws on a cycle, which a validated plan does not have.
 */
export function topologicalLevels(plan: Plan): string[][] {
  const user = plan.components.filter((c) => !c.system);
  const ids = new Set(user.map((c) => c.id));
  const upstream = new Map(user.map((c) => [c.id, c.inputs.map((i) => i.component).filter((id) => ids.has(id))]));
  const levels: string[][] = [];
  const done = new Set<string>();
  // Repeated passes in declaration order: plans are small, and this keeps the order stable.
  while (done.size < user.length) {
    const ready = user
      .filter((c) => !done.has(c.id) && upstream.get(c.id)!.every((id) => done.has(id)))
      .map((c) => c.id);
    if (ready.length === 0) {
      const stuck = user.filter((c) => !done.has(c.id)).map((c) => c.id);
      throw new Error(`plan '${plan.name}' has a cycle among: ${stuck.join(', ')}`);
    }
    for (const id of ready) done.add(id);
    levels.push(ready);
  }
  return levels;
}

/**
 * User bolts ordered so that each comes after every component upstream of it: the order
 * in which the runtime calls `finish()` in a bounded run. Spouts and system components are
 * left out.
 */
export function topologicalOrder(plan: Plan): string[] {
  const bolts = new Set(plan.components.filter((c) => c.kind === 'bolt' && !c.system).map((c) => c.id));
  return topologicalLevels(plan).flat().filter((id) => bolts.has(id));
}
