/**
 * A worker's component errors towards the supervisor: counted on the task, posted at most a
 * few times a second (a bolt failing on every tuple must not flood the main thread), and the
 * run-ending ones (failRun, a failed start) posted always. Also the tuples the frame encoder
 * rejected: reported against their source, their trees failed so they replay.
 */
import type { SupervisorLink } from '../messages.js';
import type { TaskCounters } from '../metrics.js';
import type { StreamTable } from './streams.js';
import type { TaskSet } from './task-set.js';
import { errorText } from './executor.js';

/** Least time between two error messages of one thread. */
const ERROR_POST_GAP_MS = 200;

export class ErrorReports {
  private lastErrorPost = 0;

  constructor(
    private readonly link: SupervisorLink,
    private readonly workerIndex: number,
    private readonly tasks: TaskSet,
    private readonly streams: StreamTable,
  ) {}

  startFailed(component: string, taskId: number, error: unknown): void {
    this.link.post({ type: 'startFailed', workerIndex: this.workerIndex, component, taskId, error: errorText(error) });
  }

  /** A tuple the encoder rejected: report it against its source and fail its trees (replay). */
  unencodable(slots: unknown[], error: unknown): void {
    const source = this.tasks.byId[slots[2] as number];
    const info = this.streams.byCode[slots[1] as number]!;
    const err = new Error(`component '${info.component}', stream '${info.stream}': a tuple could not be encoded (${(error as Error).message})`);
    if (source === undefined) return;
    this.reportError(source.counters, err);
    const anchors = slots[3] as number[] | null;
    if (anchors !== null) source.failRoots(anchors);
  }

  reportError(counters: TaskCounters, error: unknown): void {
    counters.errors++;
    const text = errorText(error);
    counters.lastError = text.split('\n')[0]!;
    const now = Date.now();
    if (now - this.lastErrorPost < ERROR_POST_GAP_MS) return;
    this.lastErrorPost = now;
    this.link.post({ type: 'error', workerIndex: this.workerIndex, component: counters.component, taskId: counters.taskId, message: text });
  }

  failRun(counters: TaskCounters, error: unknown): void {
    counters.errors++;
    const text = errorText(error);
    counters.lastError = text.split('\n')[0]!;
    // Never rate-limited: it ends the run, and it is sent once per call.
    this.link.post({ type: 'fatal', workerIndex: this.workerIndex, component: counters.component, taskId: counters.taskId, message: text });
  }
}
