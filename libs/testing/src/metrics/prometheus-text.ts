/** One sample of a Prometheus text exposition: its labels and value. */
export interface MetricSample {
  labels: Record<string, string>;
  value: number;
}

const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** A label value as exposed, with the format's escapes (`\\`, `\"`, `\n`) undone. */
function unescapeLabel(raw: string): string {
  return raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/**
 * The samples of one metric in a Prometheus text exposition (what `/metrics` serves and
 * prom-client's `registry.metrics()` returns), read as Prometheus would: so a spec checks the
 * same text an operator's scrape sees. `name` is a sample's full name (`_total`, `_bucket`
 * included); a sample with no labels has `{}`.
 */
export function metricSamples(text: string, name: string): MetricSample[] {
  const found: MetricSample[] = [];
  for (const line of text.split('\n')) {
    let labels: Record<string, string> = {};
    let rest: string;
    if (line.startsWith(`${name}{`)) {
      const close = line.lastIndexOf('}');
      labels = Object.fromEntries(
        [...line.slice(name.length + 1, close).matchAll(LABEL)].map((m) => [
          m[1]!,
          unescapeLabel(m[2]!),
        ]),
      );
      rest = line.slice(close + 1);
    } else if (line.startsWith(`${name} `)) {
      rest = line.slice(name.length);
    } else continue;
    // The value, then an optional timestamp.
    found.push({ labels, value: Number(rest.trim().split(/\s+/)[0]) });
  }
  return found;
}

/**
 * The value of the first sample of `name` whose labels include `labels` (`{}`: the first
 * sample); undefined when there is none.
 */
export function metricValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return metricSamples(text, name).find((sample) =>
    Object.entries(labels).every(([label, value]) => sample.labels[label] === value),
  )?.value;
}
