/**
 * Metric families and series definitions, and the two text formats: Prometheus text (what the live exporter
 * serves) and OpenMetrics (what promtool backfills).
 *
 * A counter whose name ends in `_total` is an OpenMetrics `counter` family named without the suffix; a counter
 * without it (Triton's nv_inference_request_success, DCGM's energy counter, ...) is declared `unknown` so
 * promtool keeps its name. In Prometheus text format every counter is a plain `counter` under its full name.
 */

export type FamilyType = 'counter' | 'gauge' | 'histogram';

export interface Family {
  /** Name as exposed in Prometheus text format (counters with their `_total`). */
  name: string;
  type: FamilyType;
  help: string;
  omName: string;
  omType: 'counter' | 'gauge' | 'histogram' | 'unknown';
  order: number;
}

export interface SeriesDef {
  id: number;
  family: Family;
  /** The sample name (`x_bucket`, `x_sum`, ... for histograms). */
  name: string;
  labels: Readonly<Record<string, string>>;
  /** `{a="b",...}` in label order, '' when there are none. */
  labelText: string;
  /** name + labelText: the series identity. */
  key: string;
  /** Fraction digits written; 0 = an integer. */
  decimals: number;
}

export type LabelPairs = ReadonlyArray<readonly [string, string]>;

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function renderLabels(labels: LabelPairs): string {
  if (labels.length === 0) return '';
  return `{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

/** The value as written in both formats. */
export function formatValue(def: SeriesDef, value: number): string {
  if (def.decimals === 0) return String(Math.round(value));
  const scale = 10 ** def.decimals;
  return String(Math.round(value * scale) / scale);
}

/** Families and series, created on first use and kept (so a series is one object for the whole run). */
export class SeriesRegistry {
  readonly families = new Map<string, Family>();
  readonly defs: SeriesDef[] = [];
  private readonly byKey = new Map<string, SeriesDef>();

  family(name: string, type: FamilyType, help: string): Family {
    let family = this.families.get(name);
    if (!family) {
      const totalCounter = type === 'counter' && name.endsWith('_total');
      family = {
        name,
        type,
        help,
        omName: totalCounter ? name.slice(0, -'_total'.length) : name,
        omType: type === 'counter' ? (totalCounter ? 'counter' : 'unknown') : type,
        order: this.families.size,
      };
      this.families.set(name, family);
    }
    return family;
  }

  /** A series of `family`; `sampleName` defaults to the family's name (gauges, counters). */
  series(family: Family, sampleName: string | undefined, labels: LabelPairs, decimals: number): SeriesDef {
    const name = sampleName ?? family.name;
    const labelText = renderLabels(labels);
    const key = name + labelText;
    let def = this.byKey.get(key);
    if (!def) {
      def = {
        id: this.defs.length,
        family,
        name,
        labels: Object.fromEntries(labels),
        labelText,
        key,
        decimals,
      };
      this.defs.push(def);
      this.byKey.set(key, def);
    }
    return def;
  }
}

export interface Sample {
  def: SeriesDef;
  value: number;
}

/** Prometheus text exposition format 0.0.4 (families grouped, HELP and TYPE lines). */
export function toPrometheusText(samples: readonly Sample[]): string {
  const byFamily = new Map<Family, string[]>();
  for (const { def, value } of samples) {
    let lines = byFamily.get(def.family);
    if (!lines) byFamily.set(def.family, (lines = []));
    lines.push(`${def.name}${def.labelText} ${formatValue(def, value)}`);
  }
  const families = [...byFamily.keys()].sort((a, b) => a.order - b.order);
  const out: string[] = [];
  for (const family of families) {
    out.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    for (const line of byFamily.get(family) ?? []) out.push(line);
  }
  return `${out.join('\n')}\n`;
}
