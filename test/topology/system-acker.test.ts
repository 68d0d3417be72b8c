import { describe, expect, it } from 'vitest';
import { addSystemComponents } from '../../src/topology/system.js';
import { validatePlan } from '../../src/topology/validate.js';
import { componentById } from '../../src/topology/plan.js';
import { ACKER_ID } from '../../src/topology/acker-protocol.js';
import { bolt, plan, shuffle, spout } from '../fixtures/topology/plans.js';

const user = plan([spout('s1'), spout('s2'), bolt('a', [shuffle('s1'), shuffle('s2')]), bolt('b', [shuffle('a')])]);
const opts = { ackers: 3, messageTimeoutMs: 30_001, enableMessageTimeouts: true };

describe('addSystemComponents', () => {
  it('adds the acker last, as a system rich bolt with ackers tasks', () => {
    const out = addSystemComponents(user, opts);
    expect(out.components.map((c) => c.id)).toEqual(['s1', 's2', 'a', 'b', ACKER_ID]);
    const acker = componentById(out, ACKER_ID)!;
    expect([acker.kind, acker.system, acker.basic, acker.parallelism]).toEqual(['bolt', true, false, 3]);
  });

  it('wires spout inits and bolt acks/fails/resets into the acker by root', () => {
    const acker = componentById(addSystemComponents(user, opts), ACKER_ID)!;
    expect(acker.inputs.map((i) => `${i.component}/${i.stream}/${i.grouping.type}`)).toEqual([
      's1/__ack_init/ackerRoot',
      's2/__ack_init/ackerRoot',
      'a/__ack_ack/ackerRoot',
      'a/__ack_fail/ackerRoot',
      'a/__ack_reset/ackerRoot',
      'b/__ack_ack/ackerRoot',
      'b/__ack_fail/ackerRoot',
      'b/__ack_reset/ackerRoot',
    ]);
  });

  it('declares the acker direct outputs and feeds them back to every spout', () => {
    const out = addSystemComponents(user, opts);
    const acker = componentById(out, ACKER_ID)!;
    expect(Object.values(acker.streams)).toEqual([
      { id: '__ack_ack', fields: ['root'], direct: true },
      { id: '__ack_fail', fields: ['root', 'reason'], direct: true },
      { id: '__ack_reset', fields: ['root'], direct: true },
    ]);
    for (const id of ['s1', 's2']) {
      expect(componentById(out, id)!.inputs).toEqual([
        { component: ACKER_ID, stream: '__ack_ack', grouping: { type: 'direct' } },
        { component: ACKER_ID, stream: '__ack_fail', grouping: { type: 'direct' } },
        { component: ACKER_ID, stream: '__ack_reset', grouping: { type: 'direct' } },
      ]);
    }
    expect(componentById(out, 'b')!.inputs).toEqual([shuffle('a')]);
  });

  it('adds the system streams to user components, keeping theirs', () => {
    const out = addSystemComponents(user, opts);
    expect(componentById(out, 's1')!.streams).toEqual({
      default: { id: 'default', fields: ['x'], direct: false },
      __ack_init: { id: '__ack_init', fields: ['root', 'xhi', 'xlo', 'task', 'workers'], direct: false },
    });
    expect(Object.entries(componentById(out, 'a')!.streams).map(([k, s]) => [k, s.fields.join(',')])).toEqual([
      ['default', 'x'],
      ['__ack_ack', 'root,xhi,xlo,workers'],
      ['__ack_fail', 'root'],
      ['__ack_reset', 'root'],
    ]);
  });

  it('ticks the acker every ceil(timeout / 2) only when timeouts are enabled', () => {
    expect(componentById(addSystemComponents(user, opts), ACKER_ID)!.config).toEqual({ tickFrequencyMs: 15_001 });
    const off = addSystemComponents(user, { ...opts, enableMessageTimeouts: false });
    expect(componentById(off, ACKER_ID)!.config).toEqual({});
  });

  it('does not modify its input and yields a plan that still validates', () => {
    const before = structuredClone(user);
    const out = addSystemComponents(user, opts);
    expect(user).toEqual(before);
    expect(validatePlan(out)).toEqual([]);
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });

  it('returns an equal but new plan with ackers 0', () => {
    const out = addSystemComponents(user, { ...opts, ackers: 0 });
    expect(out).not.toBe(user);
    expect(out).toEqual(user);
  });

  it('refuses a bad acker count and a second rewrite', () => {
    expect(() => addSystemComponents(user, { ...opts, ackers: -1 })).toThrow(/ackers must be a non-negative integer, got -1/);
    expect(() => addSystemComponents(addSystemComponents(user, opts), opts)).toThrow(/already has system components/);
  });
});
