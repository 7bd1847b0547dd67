/**
 * Each cost source turned into the same facts: (day, attribution subject, GPU part, the rest, currency), plus
 * the days it covers. The review then takes each day from the best source that has it:
 * Cost Explorer > FOCUS import > OpenCost > price table (the bill first, estimates last).
 */
import type { ModelServerKind } from '../../shared/models';
import {
  dayText,
  parseDay,
  type Attribution,
  type CostSettings,
  type CostSourceKind,
  type DayRange,
} from '../../shared/cost';
import { allocate, amountUnits, parseAmount, scaleUnits, unitsFromNumber } from '../../shared/money';
import { workloadFromPod } from '../metrics/gpu';
import type { FocusCostRow, Store } from '../store';

type FocusDims = FocusCostRow['dims'];
import { groupDefinitionsOf, readGroupKeys, type CachedCall, type CostAndUsagePage } from './costExplorer';
import { isGpuCharge } from './gpu';
import type { GpuHours, OpenCostDaily, PodDaily } from './prometheusCosts';

export interface CostFact {
  day: number;
  /** attribution value; '' = unattributed */
  subject: string;
  gpu: bigint;
  other: bigint;
  currency: string;
  team: string | null;
  namespace: string | null;
  /** what the charge is (FOCUS: service category, service, …) for the review's breakdowns; absent elsewhere */
  dims?: FocusDims;
}

export interface GroupFact {
  day: number;
  team: string;
  namespace: string;
  amount: bigint;
  currency: string;
}

export interface SourceFacts {
  kind: CostSourceKind;
  facts: CostFact[];
  /** team x namespace per day where the source has them apart from the subjects (Cost Explorer); else null */
  groups: GroupFact[] | null;
  /** days the source has data for (a day with no charge but covered counts) */
  days: Set<number>;
  fetchedAt: string | null;
  /** a sentence on what it holds */
  detail: string;
}

/** A model service as far as pods go (from the cluster when it is connected). */
export interface PodTarget {
  id: string;
  name: string;
  namespace: string;
  modelName: string;
  podPrefix: string;
  serverKind: ModelServerKind;
}

/** Which subject a pod's cost and requests belong to, by the attribution rule. */
export function podSubjectResolver(
  attribution: Attribution,
  targets: readonly PodTarget[] | null,
  podLabels: Map<string, string> | null,
): (namespace: string, pod: string) => string {
  const cache = new Map<string, string>();
  return (namespace, pod) => {
    const k = `${namespace}/${pod}`;
    let v = cache.get(k);
    if (v !== undefined) return v;
    if (attribution.by === 'namespace') v = namespace;
    else if (attribution.by === 'label' && podLabels)
      v = podLabels.get(k) ?? ''; // no such label: unattributed
    else {
      let best: PodTarget | null = null;
      for (const t of targets ?? []) {
        if (
          t.namespace === namespace &&
          pod.startsWith(t.podPrefix) &&
          (!best || t.podPrefix.length > best.podPrefix.length)
        )
          best = t;
      }
      v = best ? best.name : workloadFromPod(pod);
    }
    cache.set(k, v);
    return v;
  };
}

function daysOfPeriod(start: string, end: string): number[] {
  const s = parseDay(start);
  const e = parseDay(end);
  if (s === null || e === null) return [];
  const out: number[] = [];
  for (let d = s; d < e; d++) out.push(d);
  return out;
}

/** The tag keys the answers were asked for (read by name from each group's keys, never by position). */
export interface CeTagKeys {
  attribution: string;
  team: string;
  namespace: string;
}

/** Cost Explorer's cached daily and team/namespace answers as facts. */
export function costExplorerFacts(
  daily: CachedCall<CostAndUsagePage> | null,
  groups: CachedCall<CostAndUsagePage> | null,
  metric: string,
  tagKeys: CeTagKeys,
): SourceFacts | null {
  if (!daily || !('pages' in daily)) return null;
  const facts: CostFact[] = [];
  const days = new Set<number>();
  const req = daily.request as { TimePeriod?: { Start?: string; End?: string } };
  if (req.TimePeriod?.Start && req.TimePeriod.End)
    for (const d of daysOfPeriod(req.TimePeriod.Start, req.TimePeriod.End)) days.add(d);
  for (const page of daily.pages) {
    const defs = groupDefinitionsOf(page, daily.request);
    for (const r of page.ResultsByTime) {
      const day = parseDay(r.TimePeriod.Start);
      if (day === null) continue;
      days.add(day);
      for (const g of r.Groups ?? []) {
        const m = g.Metrics[metric];
        if (!m) continue;
        const units = parseAmount(m.Amount);
        if (units === null) continue;
        const keys = readGroupKeys(defs, g.Keys);
        const gpu = isGpuCharge(keys.dimension('USAGE_TYPE'), keys.dimension('INSTANCE_TYPE'));
        facts.push({
          day,
          subject: keys.tag(tagKeys.attribution) ?? '',
          gpu: gpu ? units : 0n,
          other: gpu ? 0n : units,
          currency: m.Unit.toUpperCase(),
          team: null,
          namespace: null,
        });
      }
    }
  }
  let groupFacts: GroupFact[] | null = null;
  if (groups && 'pages' in groups) {
    groupFacts = [];
    for (const page of groups.pages) {
      const defs = groupDefinitionsOf(page, groups.request);
      for (const r of page.ResultsByTime) {
        const start = parseDay(r.TimePeriod.Start);
        const end = parseDay(r.TimePeriod.End);
        if (start === null || end === null || end <= start) continue;
        for (const g of r.Groups ?? []) {
          const m = g.Metrics[metric];
          const units = m ? parseAmount(m.Amount) : null;
          if (!m || units === null) continue;
          // a MONTHLY period is spread evenly over its days (exactly: the parts add up to the amount), so
          // month totals are exact whichever answer a day is taken from
          const n = end - start;
          const keys = readGroupKeys(defs, g.Keys);
          const parts = n === 1 ? [units] : (allocate(units, new Array<number>(n).fill(1)) as bigint[]);
          for (let i = 0; i < n; i++) {
            groupFacts.push({
              day: start + i,
              team: keys.tag(tagKeys.team) ?? '',
              namespace: keys.tag(tagKeys.namespace) ?? '',
              amount: parts[i] as bigint,
              currency: m.Unit.toUpperCase(),
            });
          }
        }
      }
    }
  }
  return {
    kind: 'aws',
    facts,
    groups: groupFacts,
    days,
    fetchedAt: daily.fetchedAt,
    detail: `Cost Explorer ${metric} by tag, ${req.TimePeriod?.Start ?? '?'} to ${req.TimePeriod?.End ?? '?'} (end exclusive)`,
  };
}

/** FOCUS imports overlapping the window, as facts (tags give the subject, team and namespace). */
export function focusFacts(store: Store, settings: CostSettings, window: DayRange): SourceFacts | null {
  const imports = store.cost.focusList();
  if (imports.length === 0) return null;
  const days = new Set<number>();
  for (const imp of imports) {
    if (!imp.periodStart || !imp.periodEnd) continue;
    for (const d of daysOfPeriod(imp.periodStart, imp.periodEnd))
      if (d >= window.start && d < window.end) days.add(d);
  }
  const amortized = settings.aws.metric === 'AmortizedCost' || settings.aws.metric === 'NetAmortizedCost';
  const facts: CostFact[] = [];
  const tagCache = new Map<string, Record<string, string>>();
  for (const row of store.cost.focusCosts(dayText(window.start), dayText(window.end))) {
    const day = parseDay(row.day);
    if (day === null) continue;
    let tags = tagCache.get(row.tags);
    if (!tags) {
      try {
        tags = JSON.parse(row.tags) as Record<string, string>;
      } catch {
        tags = {};
      }
      tagCache.set(row.tags, tags);
    }
    const units = amountUnits(amortized ? row.effective : row.billed);
    const gpu = row.category === 'gpu';
    facts.push({
      day,
      subject: tags[settings.attribution.key] ?? '',
      gpu: gpu ? units : 0n,
      other: gpu ? 0n : units,
      currency: row.currency,
      team: tags[settings.teamTagKey] ?? null,
      namespace: tags[settings.namespaceTagKey] ?? null,
      dims: row.dims,
    });
  }
  return {
    kind: 'focus',
    facts,
    groups: null,
    days,
    fetchedAt: imports.reduce<string | null>(
      (a, i) => (a === null || i.importedAt > a ? i.importedAt : a),
      null,
    ),
    detail: `${imports.length} FOCUS import${imports.length === 1 ? '' : 's'} (${amortized ? 'EffectiveCost' : 'BilledCost'})`,
  };
}

function podValue(p: PodDaily, i: number): bigint {
  const v = p.values[i] as number;
  return v === v ? (unitsFromNumber(v) ?? 0n) : 0n;
}

/** OpenCost allocation costs per pod and day; the hardware not allocated to any pod is unattributed (idle). */
export function openCostFacts(
  data: OpenCostDaily,
  window: DayRange,
  currency: string,
  subjectOf: (namespace: string, pod: string) => string,
  teamOf: (namespace: string) => string | null,
): SourceFacts {
  const n = window.end - window.start;
  const facts: CostFact[] = [];
  const days = new Set<number>();
  const other = new Map<string, { p: PodDaily; extra: PodDaily[] }>();
  for (const p of data.gpu) other.set(`${p.namespace}/${p.pod}`, { p, extra: [] });
  for (const p of [...data.cpu, ...data.ram]) {
    const k = `${p.namespace}/${p.pod}`;
    const e = other.get(k);
    if (e) e.extra.push(p);
    else other.set(k, { p: { ...p, values: new Float64Array(n).fill(NaN) }, extra: [p] });
  }
  for (let i = 0; i < n; i++) {
    const total = data.nodeTotal[i] as number;
    if (total !== total) continue;
    const day = window.start + i;
    days.add(day);
    let allocGpu = 0n;
    let allocOther = 0n;
    for (const { p, extra } of other.values()) {
      const gpu = podValue(p, i);
      let rest = 0n;
      for (const e of extra) rest += podValue(e, i);
      if (gpu === 0n && rest === 0n) continue;
      allocGpu += gpu;
      allocOther += rest;
      facts.push({
        day,
        subject: subjectOf(p.namespace, p.pod),
        gpu,
        other: rest,
        currency,
        team: teamOf(p.namespace),
        namespace: p.namespace,
      });
    }
    const nodeGpuV = data.nodeGpu[i] as number;
    const nodeGpu = nodeGpuV === nodeGpuV ? (unitsFromNumber(nodeGpuV) ?? 0n) : 0n;
    const nodeTotal = unitsFromNumber(total) ?? 0n;
    const idleGpu = nodeGpu > allocGpu ? nodeGpu - allocGpu : 0n;
    const idleOther = nodeTotal - nodeGpu - allocOther;
    if (idleGpu > 0n || idleOther > 0n) {
      facts.push({
        day,
        subject: '',
        gpu: idleGpu,
        other: idleOther > 0n ? idleOther : 0n,
        currency,
        team: null,
        namespace: null,
      });
    }
  }
  return {
    kind: 'opencost',
    facts,
    groups: null,
    days,
    fetchedAt: data.fetchedAt,
    detail: `OpenCost allocation x hourly prices in Prometheus, ${days.size} day${days.size === 1 ? '' : 's'}`,
  };
}

export interface PriceBook {
  currency: string;
  gpu: Array<{ match: string; units: bigint }>;
  node: Array<{ match: string; units: bigint; gpus: number | null }>;
}

export function priceBook(
  rows: Array<{ kind: 'gpu' | 'node'; match: string; hourly: string; currency: string; gpus: number | null }>,
  currency: string,
): PriceBook {
  const book: PriceBook = { currency, gpu: [], node: [] };
  for (const r of rows) {
    const units = parseAmount(r.hourly);
    if (units === null || r.currency !== currency) continue;
    if (r.kind === 'gpu') book.gpu.push({ match: r.match, units });
    else book.node.push({ match: r.match, units, gpus: r.gpus });
  }
  // the most specific text first ("A100 80GB" before "A100")
  book.gpu.sort((a, b) => b.match.length - a.match.length);
  return book;
}

/** Price of one GPU-hour: by GPU model (exact, then contained), else the node's instance type / its GPUs. */
export function gpuHourPrice(
  book: PriceBook,
  modelName: string | null,
  instanceType: string | null,
): bigint | null {
  if (modelName) {
    const m = modelName.toLowerCase();
    const exact = book.gpu.find((g) => g.match.toLowerCase() === m);
    if (exact) return exact.units;
    const contained = book.gpu.find((g) => m.includes(g.match.toLowerCase()));
    if (contained) return contained.units;
  }
  if (instanceType) {
    const node = book.node.find((n) => n.match.toLowerCase() === instanceType.toLowerCase());
    if (node && node.gpus && node.gpus > 0) return scaleUnits(node.units, 1n, BigInt(node.gpus));
  }
  return null;
}

/** GPU-hours x price: the estimate when nothing else covers a day (and for today). */
export function priceTableFacts(
  hours: readonly GpuHours[],
  window: DayRange,
  book: PriceBook,
  instanceTypes: Map<string, string>,
  subjectOf: (namespace: string, pod: string) => string,
  teamOf: (namespace: string) => string | null,
): { source: SourceFacts; unpriced: Set<string> } {
  const facts: CostFact[] = [];
  const days = new Set<number>();
  const unpriced = new Set<string>();
  const n = window.end - window.start;
  for (const h of hours) {
    const price = gpuHourPrice(book, h.modelName, instanceTypes.get(h.node) ?? null);
    for (let i = 0; i < Math.min(n, h.values.length); i++) {
      const v = h.values[i] as number;
      if (!(v > 0)) continue;
      const day = window.start + i;
      days.add(day);
      if (price === null) {
        unpriced.add(h.modelName ?? `GPUs on ${h.node}`);
        continue;
      }
      // hours are whole 5-minute points: twelfths, kept exact
      const cost = scaleUnits(price, BigInt(Math.round(v * 12)), 12n);
      facts.push({
        day,
        subject: h.holder ? subjectOf(h.holder.namespace, h.holder.pod) : '',
        gpu: cost,
        other: 0n,
        currency: book.currency,
        team: h.holder ? teamOf(h.holder.namespace) : null,
        namespace: h.holder?.namespace ?? null,
      });
    }
  }
  return {
    source: {
      kind: 'price-table',
      facts,
      groups: null,
      days,
      fetchedAt: null,
      detail: `GPU-hours from dcgm-exporter x the price table (${book.currency})`,
    },
    unpriced,
  };
}

/**
 * Several cached Cost Explorer answers (one per month asked) as one source: each day from the most recently
 * fetched answer that covers it, so no day is counted twice and late corrections win.
 */
export function combineCeFacts(
  answers: Array<SourceFacts | null>,
  window: { start: number; end: number },
): SourceFacts | null {
  const present = answers
    .filter((a): a is SourceFacts => a !== null)
    .sort((a, b) => ((a.fetchedAt ?? '') < (b.fetchedAt ?? '') ? 1 : -1));
  if (present.length === 0) return null;
  if (present.length === 1) return present[0] as SourceFacts;
  const owner = new Map<number, SourceFacts>();
  for (let d = window.start; d < window.end; d++) {
    const a = present.find((x) => x.days.has(d));
    if (a) owner.set(d, a);
  }
  const facts: CostFact[] = [];
  const groups: GroupFact[] = [];
  let anyGroups = false;
  for (const a of present) {
    for (const f of a.facts) if (owner.get(f.day) === a) facts.push(f);
    if (a.groups) {
      anyGroups = true;
      for (const g of a.groups) if (owner.get(g.day) === a) groups.push(g);
    }
  }
  const used = present.filter((a) => [...owner.values()].includes(a));
  return {
    kind: 'aws',
    facts,
    groups: anyGroups ? groups : null,
    days: new Set(owner.keys()),
    // the age shown is the oldest answer in use
    fetchedAt:
      used
        .map((a) => a.fetchedAt)
        .filter((x): x is string => x !== null)
        .sort()[0] ?? null,
    detail: used.map((a) => a.detail).join('; '),
  };
}
