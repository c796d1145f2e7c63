import {
  Counter,
  type CounterConfiguration,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  type Metric,
  register,
} from 'prom-client';

type MetricClass<M> = abstract new (...args: never[]) => M;

// Metrics live in prom-client's default registry for the process; a module that is built twice
// (tests create several apps) must reuse the metric rather than throw on duplicate registration.
function getOrCreate<M extends Metric>(name: string, type: MetricClass<M>, create: () => M): M {
  const existing = register.getSingleMetric(name);
  if (existing === undefined) return create();
  if (!(existing instanceof type)) throw new Error(`metric ${name} is already registered with another type`);
  return existing;
}

export function getOrCreateCounter<T extends string>(config: CounterConfiguration<T>): Counter<T> {
  return getOrCreate(config.name, Counter<T>, () => new Counter(config));
}

export function getOrCreateHistogram<T extends string>(config: HistogramConfiguration<T>): Histogram<T> {
  return getOrCreate(config.name, Histogram<T>, () => new Histogram(config));
}

export function getOrCreateGauge<T extends string>(config: GaugeConfiguration<T>): Gauge<T> {
  return getOrCreate(config.name, Gauge<T>, () => new Gauge(config));
}

/**
 * A histogram, and a counter of the same observations by the same labels: the counter's series are
 * the histogram's `_count` samples, copied into it when it is scraped (its `collect`). One
 * prom-client call per observation where a counter beside a histogram took two, each building,
 * checking and hashing the label set (docs/performance.md#sixth-pass).
 */
export function getOrCreateCountedHistogram<T extends string>(
  config: HistogramConfiguration<T>,
  counter: { name: string; help: string },
): Histogram<T> {
  const histogram = getOrCreateHistogram(config);
  const countName = `${config.name}_count`;
  getOrCreateCounter<T>({
    ...counter,
    labelNames: config.labelNames,
    async collect() {
      const { values } = await histogram.get();
      // After the await, in one synchronous pass: a concurrent scrape never sees a half-built counter.
      this.reset();
      for (const sample of values) if (sample.metricName === countName) this.inc(sample.labels, sample.value);
    },
  });
  return histogram;
}
