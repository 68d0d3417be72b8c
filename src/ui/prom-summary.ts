/**
 * A Prometheus summary whose figures are already computed elsewhere: prom-client's own
 * Summary keeps its observations and computes quantiles itself, but topo's latencies are
 * measured in the workers (HDR histograms, sampled execute times) and arrive as finished
 * quantiles, sums and counts. This metric exposes those as a proper summary family
 * (`name{quantile=...}`, `name_sum`, `name_count`) through prom-client's registry, so the
 * registry's default labels and text format apply to it as to every other metric.
 */
import type { MetricObjectWithValues, MetricType, MetricValueWithName, Registry } from 'prom-client';

export interface SummaryFigures {
  readonly labels: Readonly<Record<string, string>>;
  /** Quantile (0..1) -> value, in the metric's unit; may be empty (a sum and count only). */
  readonly quantiles: ReadonlyArray<readonly [number, number]>;
  readonly sum: number;
  readonly count: number;
}

export class PrecomputedSummary {
  readonly type = 'summary' as const;
  readonly aggregator = 'sum' as const;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly figures: () => Iterable<SummaryFigures>,
    register: Registry,
  ) {
    // The registry only calls name, get() and reset(); it types its argument as its own classes.
    register.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  collect(): void {}

  reset(): void {}

  async get(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
    const values: MetricValueWithName<string>[] = [];
    for (const f of this.figures()) {
      for (const [q, v] of f.quantiles) values.push({ labels: { ...f.labels, quantile: String(q) }, value: v });
      values.push({ metricName: `${this.name}_sum`, labels: { ...f.labels }, value: f.sum });
      values.push({ metricName: `${this.name}_count`, labels: { ...f.labels }, value: f.count });
    }
    // prom-client's types declare a numeric enum; its registry prints the string it is given.
    return { name: this.name, help: this.help, type: this.type as unknown as MetricType, aggregator: this.aggregator, collect: () => undefined, values };
  }
}
