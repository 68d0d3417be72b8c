/**
 * Tick tuples: a component configured with `tickFrequencyMs` gets a tuple on the system
 * tick stream at that interval of the run's clock, delivered through the local queue like
 * any other tuple (so a tick never runs concurrently with an execute). The acker's expiry,
 * window watermarks and state checkpoints all turn on these.
 */
import type { CancelTimer, Clock } from '../../api/clock.js';
import type { Plan } from '../../topology/plan.js';
import type { Assignment } from '../messages.js';
import type { StreamInfo } from './streams.js';
import { TupleImpl } from './tuple-impl.js';

export class TickTimers {
  private timers: CancelTimer[] = [];

  constructor(
    private readonly info: StreamInfo,
    private readonly enqueue: (task: number, t: TupleImpl) => void,
    private readonly clock: Clock,
  ) {}

  start(plan: Plan, assignment: Assignment, workerIndex: number): void {
    if (this.timers.length > 0) return;
    for (const c of plan.components) {
      const every = c.config['tickFrequencyMs'];
      if (c.kind !== 'bolt' || typeof every !== 'number' || every <= 0) continue;
      for (const task of assignment.componentTasks[c.id] ?? []) {
        if (assignment.taskWorker[task] !== workerIndex) continue;
        this.timers.push(this.clock.every(every, () => this.enqueue(task, new TupleImpl(this.info, -1, [], null))));
      }
    }
  }

  stop(): void {
    for (const cancel of this.timers) cancel();
    this.timers = [];
  }
}
