/** A tuple as a bolt sees it: values by index and by field, plus where it came from. */
export interface Tuple {
  readonly values: readonly unknown[];
  readonly fields: readonly string[];
  readonly sourceComponent: string;
  readonly sourceStreamId: string;
  readonly sourceTask: number;
  getValue(index: number): unknown;
  /** Throws an error naming the field and the stream's declared fields when unknown. */
  getValueByField(field: string): unknown;
  getString(index: number): string;
  getStringByField(field: string): string;
  getNumberByField(field: string): number;
  contains(field: string): boolean;
  fieldIndex(field: string): number;
  /** True for the runtime's tick tuples (`tickFrequencyMs`). */
  isTick(): boolean;
}

export const DEFAULT_STREAM = 'default';
export const TICK_STREAM = '__tick';
export const SYSTEM_COMPONENT = '__system';
