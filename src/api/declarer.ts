/** How a component declares its output streams (fields per stream, direct or not). */
export interface OutputFieldsDeclarer {
  /** Declare the default stream's fields. */
  declare(fields: readonly string[], direct?: boolean): void;
  declareStream(streamId: string, fields: readonly string[], direct?: boolean): void;
}
