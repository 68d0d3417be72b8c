import { describe, expect, it } from 'vitest';
import { validatePlan, validateRuntimeConfig } from '../../src/topology/validate.js';
import { plan, spout } from '../fixtures/topology/plans.js';

describe('validateRuntimeConfig', () => {
  it('accepts good values and ignores keys it does not know', () => {
    const config = { workers: 4, ackers: 0, messageTimeoutMs: 2.5, maxSpoutPending: 100, enableMessageTimeouts: false, tickFrequencyMs: 10, mine: 'x' };
    expect(validateRuntimeConfig(config)).toEqual([]);
  });

  it('names the key, the expectation and the value given', () => {
    const errors = validateRuntimeConfig({
      workers: '4',
      ackers: -1,
      messageTimeoutMs: 0,
      maxSpoutPending: 1.5,
      enableMessageTimeouts: 'yes',
      tickFrequencyMs: Number.POSITIVE_INFINITY,
    });
    expect(errors).toEqual([
      `config 'workers' must be a positive integer, got "4"`,
      "config 'ackers' must be a non-negative integer, got -1",
      "config 'messageTimeoutMs' must be a positive number, got 0",
      "config 'maxSpoutPending' must be a positive integer, got 1.5",
      `config 'enableMessageTimeouts' must be a boolean, got "yes"`,
      "config 'tickFrequencyMs' must be a positive number, got Infinity",
    ]);
  });

  it('checks the idle spin and the batch delay: milliseconds from 0 to 1000', () => {
    expect(validateRuntimeConfig({ idleSpinMs: 0.25, batchDelayMs: 0 })).toEqual([]);
    expect(validateRuntimeConfig({ idleSpinMs: -1, batchDelayMs: '1ms' })).toEqual([
      "config 'idleSpinMs' must be a number of milliseconds from 0 to 1000, got -1",
      `config 'batchDelayMs' must be a number of milliseconds from 0 to 1000, got "1ms"`,
    ]);
  });

  it('rejects values that cannot travel to a worker', () => {
    expect(validateRuntimeConfig({ hook: { onTuple: () => 1 } })).toEqual([
      "config 'hook' is not serialisable: hook.onTuple (function) cannot be sent to a worker",
    ]);
  });

  it('is applied by validatePlan to the topology config and to each component config', () => {
    const errors = validatePlan(plan([spout('s', undefined, { config: { tickFrequencyMs: -5 } })], { ackers: 1.2 }));
    expect(errors).toEqual([
      "component 's' config 'tickFrequencyMs' must be a positive number, got -5",
      "config 'ackers' must be a non-negative integer, got 1.2",
    ]);
  });
});
