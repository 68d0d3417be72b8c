// Types of gen.mjs (plain ESM, shared with the `ysb` script and the check).
export declare const CAMPAIGNS: number;
export declare const ADS_PER_CAMPAIGN: number;
export declare const ADS: number;
export declare const POOL: number;
export declare const WINDOW_MS: number;
export declare const AD_TYPES: readonly string[];
export declare const EVENT_TYPES: readonly string[];

export interface Setup {
  readonly seed: number;
  readonly campaigns: readonly string[];
  readonly ads: readonly string[];
  readonly users: readonly string[];
  readonly pages: readonly string[];
  readonly campaignOfAd: ReadonlyMap<string, string>;
}

/** What the generator needs to rebuild event n: the seed, the first scheduled time, events/s, skew on or off. */
export interface GenRun {
  readonly seed: number;
  readonly start: number;
  readonly rate: number;
  readonly skew: boolean;
}

export interface DrawnEvent {
  readonly user: number;
  readonly page: number;
  readonly ad: number;
  readonly adType: number;
  readonly eventType: number;
  readonly scheduled: number;
  readonly time: number;
}

export declare function setupOf(seed: number): Setup;
export declare function drawEvent(run: GenRun, n: number): DrawnEvent;
export declare function eventLine(setup: Setup, run: GenRun, n: number): string;
/** The events a run emitted, from its record: per generator task the next event number, and the total. */
export declare function emittedOf(h: Readonly<Record<string, string | undefined>>): { total: number; next: number[] };
export declare function expectedCounts(setup: Setup, run: GenRun, events: number | readonly number[]): Map<string, Map<number, number>>;
