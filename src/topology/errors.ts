/**
 * The one error a topology build throws. All problems are gathered first and reported
 * together, so a user fixes a topology in one round instead of one error per run.
 */

/** Thrown by `TopologyBuilder.build()` (and its setters) when the topology is invalid. */
export class TopologyValidationError extends Error {
  /** Every problem found, one sentence each, naming the component, stream or field. */
  readonly errors: string[];

  constructor(errors: readonly string[], topologyName?: string) {
    const subject = topologyName ? `topology '${topologyName}'` : 'topology';
    const count = errors.length === 1 ? '1 problem' : `${errors.length} problems`;
    super(`${subject} is invalid (${count}):\n${errors.map((e) => `  - ${e}`).join('\n')}`);
    this.name = 'TopologyValidationError';
    this.errors = [...errors];
  }
}
