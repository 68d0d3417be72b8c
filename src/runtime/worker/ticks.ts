/**
 * Tick tuples: a component configured with `tickFrequencyMs` gets a tuple on the system
 * tick stream at that interval, delivered through the local queue like any other tuple
 * (so a tick never runs concurrently with an execute).
 */
import type { Plan } from '../../topology/plan.js';
import type { Assignment } from '../messages.js';
import type { StreamInfo } from './streams.js';
import { TupleImpl } from './tuple-impl.js';

export class TickTimers {
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly info: StreamInfo, private readonly enqueue: (task: number, t: TupleImpl) => void) {}

  start(plan: Plan, assignment: Assignment, workerIndex: number): void {
    if (this.timers.length > 0) return;
    for (const c of plan.components) {
      const every = c.config['tickFrequencyMs'];
      if (c.kind !== 'bolt' || typeof every !== 'number' || every <= 0) continue;
      for (const task of assignment.componentTasks[c.id] ?? []) {
        if (assignment.taskWorker[task] !== workerIndex) continue;
        const timer = setInterval(() => this.enqueue(task, new TupleImpl(this.info, -1, [], null)), every);
        // Ticks alone must not keep a finished worker alive.
        timer.unref();
        this.timers.push(timer);
      }
    }
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}
