/**
 * The cost domain's entry: settings, the Cost Explorer refresh (plan first, then the paid calls), FOCUS
 * imports, the price table, the monthly review, cost per 1k over any period and the exports. It gathers what
 * each source has (cached answers, the store, Prometheus) and hands it to the pure assembly in review.ts.
 */
import os from 'node:os';
import path from 'node:path';
import type { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import {
  addMonths,
  CostSettings,
  DEFAULT_COST_SETTINGS,
  monthRange,
  dayOf,
  dayText,
  monthText,
  parseDay,
  type AwsProfileList,
  type CostAnomaly,
  type CostPer1kList,
  type CostReview,
  type CostSettingsUpdate,
  type ExportResult,
  type FocusImport,
  type FocusImportProgress,
  type Period,
  type PriceTable,
  type RefreshPlan,
  type RefreshResult,
  type ReviewInputs,
  type SourceStatus,
} from '../../shared/cost';
import type { ModelServerKind } from '../../shared/models';
import { AppError, toAppErrorData } from '../../shared/errors';
import { amountUnits, parseAmount, toWire, unitsFromNumber, type Money } from '../../shared/money';
import type { PrometheusClient } from '../metrics/prometheus';
import { scopedCache } from '../metrics/rangeCache';
import type { Store } from '../store';
import { listAwsProfiles, type AwsEnv } from './awsProfiles';
import {
  cachedAnswers,
  createCeClient,
  describePlan,
  planCeCalls,
  PRICE_PER_REQUEST,
  refreshCostExplorer,
  type CeClientOptions,
} from './costExplorer';
import { writeExport } from './export';
import { importFocusFile, toFocusImport } from './focus';
import {
  dailyGpuBusy,
  dailyGpuHours,
  dailyOpenCost,
  dailySuccesses,
  dailyTokens,
  gpuHoursToday,
  dataPresence,
  KIND_ORDER,
  nodeInstanceTypes,
  podLabelValues,
  type DataPresence,
  type PodDaily,
  type PrometheusCostEnv,
} from './prometheusCosts';
import { readPriceTable, savePriceTable } from './priceTable';
import { assembleReview, costPer1kForPeriod, PRECEDENCE, reviewWindow, type SubjectCounts } from './review';
import {
  combineCeFacts,
  costExplorerFacts,
  focusFacts,
  openCostFacts,
  podSubjectResolver,
  priceBook,
  priceTableFacts,
  type PodTarget,
  type SourceFacts,
} from './sources';

const SETTINGS_KEY = 'cost';

export interface CostServiceDeps {
  store: Store;
  /** the saved Prometheus connection (null: not configured) */
  prometheus: () => PrometheusClient | null;
  /** model services of the connected cluster (null: no cluster, or it did not answer) */
  targets: () => Promise<PodTarget[] | null>;
  /** the connected cluster's context and the Prometheus URL, read without waiting (a review's inputs) */
  connections?: () => { cluster: string | null; prometheus: string | null };
  awsEnv: AwsEnv;
  /** where exports are written */
  exportDir: string;
  now?: () => number;
  /** tests: a Cost Explorer client factory (credentials, endpoint) instead of the standard chain */
  ceClient?: (opts: CeClientOptions) => CostExplorerClient;
}

export function defaultExportDir(storePath: string): string {
  return storePath === ':memory:'
    ? path.join(os.tmpdir(), 'firebreak-exports')
    : path.join(path.dirname(storePath), 'exports');
}

export class CostService {
  private readonly now: () => number;

  constructor(private readonly deps: CostServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  // ---------- settings ----------

  settings(): CostSettings {
    const raw = this.deps.store.settings.get<unknown>(SETTINGS_KEY);
    if (raw === undefined) return DEFAULT_COST_SETTINGS;
    const merged = { ...DEFAULT_COST_SETTINGS, ...(raw as object) };
    const parsed = CostSettings.safeParse(merged);
    return parsed.success ? parsed.data : DEFAULT_COST_SETTINGS;
  }

  updateSettings(update: CostSettingsUpdate): CostSettings {
    const current = this.settings();
    const next: CostSettings = {
      ...current,
      ...(update.currency ? { currency: update.currency } : {}),
      ...(update.attribution ? { attribution: update.attribution } : {}),
      ...(update.teamTagKey ? { teamTagKey: update.teamTagKey } : {}),
      ...(update.namespaceTagKey ? { namespaceTagKey: update.namespaceTagKey } : {}),
      aws: { ...current.aws, ...(update.aws ?? {}) },
      opencost: update.opencost ?? current.opencost,
      budgets: { ...current.budgets, ...(update.budgets ?? {}) },
      teamsByNamespace: update.teamsByNamespace ?? current.teamsByNamespace,
    };
    for (const [what, value] of [
      ['The total budget', next.budgets.total],
      ...Object.entries(next.budgets.byModel).map(([k, v]) => [`The budget of ${k}`, v]),
      ...Object.entries(next.budgets.byTeam).map(([k, v]) => [`The budget of team ${k}`, v]),
    ] as Array<[string, string | null]>) {
      if (value === null) continue;
      const units = parseAmount(value);
      if (units === null || units < 0n)
        throw new AppError(
          'INVALID_INPUT',
          `${what} must be a non-negative amount (got "${value}").`,
          'Enter an amount such as 25000 or 1250.50.',
        );
    }
    const checked = CostSettings.parse(next);
    this.deps.store.settings.set(SETTINGS_KEY, checked);
    return checked;
  }

  awsProfiles(): AwsProfileList {
    return listAwsProfiles(this.deps.awsEnv);
  }

  // ---------- Cost Explorer ----------

  private today(): number {
    return dayOf(this.now());
  }

  private requireAws(settings: CostSettings): void {
    if (!settings.aws.enabled) {
      throw new AppError(
        'NOT_CONFIGURED',
        'Cost Explorer is not turned on.',
        'Turn it on in Cost settings and pick an AWS profile.',
      );
    }
  }

  refreshPlan(month: string): RefreshPlan {
    const settings = this.settings();
    this.requireAws(settings);
    const calls = describePlan(this.deps.store, planCeCalls(settings, month, this.today()));
    const requests = calls.reduce((a, c) => a + c.pages, 0);
    const cached = calls.map((c) => c.cachedAt);
    return {
      month,
      calls,
      requests,
      atLeast: calls.some((c) => !c.pagesKnown),
      price: toWire({ units: amountUnits(PRICE_PER_REQUEST) * BigInt(requests), currency: 'USD' }),
      oldestCachedAt:
        cached.length > 0 && cached.every((c) => c !== null) ? (cached.sort()[0] ?? null) : null,
    };
  }

  async refresh(month: string): Promise<RefreshResult> {
    const settings = this.settings();
    this.requireAws(settings);
    const calls = planCeCalls(settings, month, this.today());
    if (calls.length === 0)
      throw new AppError(
        'INVALID_INPUT',
        `${month} has not started yet: there is nothing to fetch.`,
        'Choose this month or an earlier one.',
      );
    const opts: CeClientOptions = {
      profile: settings.aws.profile,
      region: settings.aws.region,
      endpoint: settings.aws.endpoint,
    };
    const client = (this.deps.ceClient ?? createCeClient)(opts);
    try {
      const outcome = await refreshCostExplorer(this.deps.store, client, calls, {
        profile: settings.aws.profile,
        endpoint: settings.aws.endpoint,
        now: () => new Date(this.now()),
      });
      return {
        month,
        requests: outcome.requests,
        price: toWire({ units: amountUnits(PRICE_PER_REQUEST) * BigInt(outcome.requests), currency: 'USD' }),
        fetchedAt: outcome.fetchedAt,
      };
    } finally {
      client.destroy();
    }
  }

  // ---------- FOCUS and the price table ----------

  /** the import under way, as far as it has read (null: none) */
  private focusProgress: FocusImportProgress | null = null;

  async importFocus(filePath: string): Promise<FocusImport> {
    if (this.focusProgress)
      throw new AppError(
        'CONFLICT',
        `${this.focusProgress.fileName} is being imported.`,
        'Wait for it to finish, then import the next file.',
      );
    this.focusProgress = { fileName: path.basename(filePath), bytesRead: 0, bytesTotal: 0, rows: 0 };
    try {
      return await importFocusFile(this.deps.store, filePath, new Date(this.now()), {
        onProgress: (p) => {
          this.focusProgress = p;
        },
      });
    } finally {
      this.focusProgress = null;
    }
  }

  /** How far the import under way has read (the screen asks while it waits); null when none is running. */
  focusImportProgress(): FocusImportProgress | null {
    return this.focusProgress;
  }

  focusImports(): FocusImport[] {
    return this.deps.store.cost.focusList().map(toFocusImport);
  }

  deleteFocusImport(id: number): FocusImport[] {
    if (!this.deps.store.cost.focusDelete(id))
      throw new AppError('NOT_FOUND', `There is no FOCUS import #${id}.`, 'Reload the list of imports.');
    return this.focusImports();
  }

  priceTable(): PriceTable {
    return readPriceTable(this.deps.store);
  }

  updatePriceTable(table: Omit<PriceTable, 'updatedAt'>): PriceTable {
    return savePriceTable(this.deps.store, table, new Date(this.now()));
  }

  // ---------- the review ----------

  /** What a review of `month` is built from now: cheap, so the window can ask often whether it is stale. */
  reviewInputs(month: string): ReviewInputs {
    const settings = this.settings();
    const today = this.today();
    const conn = this.deps.connections?.() ?? {
      cluster: null,
      prometheus: this.deps.prometheus() ? 'configured' : null,
    };
    let costExplorerAt: string | null = null;
    if (settings.aws.enabled) {
      try {
        for (const c of describePlan(this.deps.store, planCeCalls(settings, month, today)))
          if (c.cachedAt && (!costExplorerAt || c.cachedAt > costExplorerAt)) costExplorerAt = c.cachedAt;
      } catch {
        // an unreadable cache shows in the review's source status
      }
    }
    return {
      cluster: conn.cluster,
      prometheus: conn.prometheus,
      costSettings: JSON.stringify(settings),
      focusImports: this.deps.store.cost
        .focusList()
        .map((i) => `${i.id}@${toFocusImport(i).importedAt}`)
        .join(','),
      priceTableAt: readPriceTable(this.deps.store).updatedAt,
      costExplorerAt,
    };
  }

  async review(month: string): Promise<CostReview> {
    const settings = this.settings();
    const nowMs = this.now();
    const today = dayOf(nowMs);
    const w = reviewWindow(month, today);
    const window = { start: w.start, end: w.thisEnd };
    const gathered = await this.gather(settings, window, nowMs, w.thisEnd === today);
    let forecast: Parameters<typeof assembleReview>[0]['forecast'] = null;
    let anomalies: CostAnomaly[] | null = null;
    if (settings.aws.enabled) {
      try {
        const answers = cachedAnswers(this.deps.store, planCeCalls(settings, month, today));
        if (answers.forecast && 'pages' in answers.forecast) {
          const page = answers.forecast.pages[0];
          const req = answers.forecast.request as { TimePeriod?: { Start?: string } };
          const start = req.TimePeriod?.Start ? parseDay(req.TimePeriod.Start) : null;
          const total = page?.Total ? parseAmount(page.Total.Amount) : null;
          if (page && start !== null && total !== null) {
            const results = page.ForecastResultsByTime;
            const sum = (pick: (r: (typeof results)[number]) => string | undefined) => {
              let s = 0n;
              for (const r of results) {
                const v = pick(r);
                const u = v === undefined ? null : parseAmount(v);
                if (u === null) return null;
                s += u;
              }
              return results.length ? s : null;
            };
            forecast = {
              start,
              total,
              low: sum((r) => r.PredictionIntervalLowerBound),
              high: sum((r) => r.PredictionIntervalUpperBound),
              currency: page.Total?.Unit.toUpperCase() ?? 'USD',
            };
          }
        } else if (answers.forecast && 'unavailable' in answers.forecast) {
          gathered.notes.push(
            `Cost Explorer has no forecast for ${month} (${answers.forecast.unavailable}); the forecast is the run rate.`,
          );
        }
        if (answers.anomalies && 'pages' in answers.anomalies)
          anomalies = anomaliesFrom(answers.anomalies.pages, today);
      } catch {
        // reported by gather() as the source's error
      }
    }
    return assembleReview({
      month,
      today,
      generatedAt: new Date(nowMs).toISOString(),
      // read after gathering: the cluster the review waited for is connected by now
      inputs: this.reviewInputs(month),
      settings,
      sources: gathered.sources,
      statuses: gathered.statuses,
      targets: gathered.targets,
      prometheus: gathered.prometheus,
      forecast,
      anomalies,
      todayEstimate: gathered.todayEstimate,
      notes: gathered.notes,
    });
  }

  /** What every source holds for the days of `window` (Cost Explorer: from the cache only). */
  private async gather(
    settings: CostSettings,
    window: { start: number; end: number },
    nowMs: number,
    estimateToday: boolean,
  ) {
    const today = dayOf(nowMs);
    const statuses: SourceStatus[] = [];
    const sources: SourceFacts[] = [];
    const notes: string[] = [];

    // Cost Explorer: the cached answers of the months the window touches (a refresh is a separate, paid step)
    if (!settings.aws.enabled) {
      statuses.push({
        kind: 'aws',
        status: 'not_configured',
        detail: 'Cost Explorer is off (Cost settings).',
        fetchedAt: null,
      });
    } else {
      try {
        const months = new Set<string>();
        for (let d = window.start; d < window.end; d++) months.add(monthText(d));
        months.add(monthText(addMonths(window.end - 1, 1)));
        const answers = [...months]
          .filter((m) => monthRange(m).start <= today)
          .map((m) => cachedAnswers(this.deps.store, planCeCalls(settings, m, today)));
        const facts = combineCeFacts(
          answers.map((a) =>
            costExplorerFacts(a.daily, a.groups, settings.aws.metric, {
              attribution: settings.attribution.key,
              team: settings.teamTagKey,
              namespace: settings.namespaceTagKey,
            }),
          ),
          window,
        );
        if (!facts) {
          statuses.push({
            kind: 'aws',
            status: 'not_fetched',
            detail: 'No Cost Explorer data for these days yet: refresh to fetch it (paid requests).',
            fetchedAt: null,
          });
        } else {
          sources.push(facts);
          statuses.push({
            kind: 'aws',
            status: facts.facts.length ? 'ok' : 'empty',
            detail: facts.detail,
            fetchedAt: facts.fetchedAt,
          });
        }
      } catch (err) {
        statuses.push({
          kind: 'aws',
          status: 'error',
          detail: 'The cached Cost Explorer answers could not be read.',
          fetchedAt: null,
          error: toAppErrorData(err),
        });
      }
    }

    // FOCUS imports
    const focus = focusFacts(this.deps.store, settings, window);
    if (focus) {
      sources.push(focus);
      statuses.push({
        kind: 'focus',
        status: focus.facts.length ? 'ok' : 'empty',
        detail: focus.detail,
        fetchedAt: focus.fetchedAt,
      });
    } else
      statuses.push({
        kind: 'focus',
        status: 'not_configured',
        detail: 'No FOCUS export imported.',
        fetchedAt: null,
      });

    // Prometheus: request counts, GPU use, OpenCost, GPU-hours for the price table
    const client = this.deps.prometheus();
    const targets = await this.deps.targets().catch(() => null);
    if (!targets) notes.push('No cluster connection: pods are matched to model services by their names.');
    let prometheus: Parameters<typeof assembleReview>[0]['prometheus'] = null;
    let todayEstimate: Money | null = null;
    const table = readPriceTable(this.deps.store);
    const book = priceBook(
      table.entries.map((e) => ({
        kind: e.kind,
        match: e.match,
        hourly: e.hourly,
        currency: table.currency,
        gpus: e.gpus ?? null,
      })),
      table.currency,
    );
    if (!client) {
      statuses.push({
        kind: 'opencost',
        status: 'not_configured',
        detail: 'No Prometheus: OpenCost metrics cannot be read.',
        fetchedAt: null,
      });
      statuses.push({
        kind: 'price-table',
        status: 'not_configured',
        detail: 'No Prometheus: GPU-hours for the price table cannot be read.',
        fetchedAt: null,
      });
      notes.push('No Prometheus: cost per 1k inferences needs the model servers\u2019 request counters.');
    } else {
      const env: PrometheusCostEnv = {
        client,
        cache: scopedCache(this.deps.store.seriesCache, client),
        now: this.now,
      };
      let podLabels: Map<string, string> | null = null;
      if (settings.attribution.by === 'label') {
        try {
          podLabels = await podLabelValues(env, settings.attribution.key, window, nowMs);
          if (podLabels.size === 0)
            notes.push(
              `No pod carries the label "${settings.attribution.key}" in kube-state-metrics (kube_pod_labels): pod costs from Prometheus are unattributed.`,
            );
        } catch (err) {
          notes.push(`Pod labels could not be read from Prometheus: ${toAppErrorData(err).message}`);
          podLabels = new Map();
        }
      }
      const subjectOf = podSubjectResolver(settings.attribution, targets, podLabels);
      const teamOf = (ns: string) => settings.teamsByNamespace[ns] ?? null;
      const kinds: ModelServerKind[] = targets
        ? KIND_ORDER.filter((k) => targets.some((t) => t.serverKind === k))
        : [...KIND_ORDER];
      let presence: DataPresence | null = null;
      try {
        presence = await dataPresence(env, window, kinds);
      } catch (err) {
        const error = toAppErrorData(err);
        notes.push(`Prometheus could not be read: ${error.message}`);
        statuses.push({
          kind: 'opencost',
          status: settings.opencost.enabled ? 'error' : 'not_configured',
          detail: 'Prometheus could not be read.',
          fetchedAt: null,
          ...(settings.opencost.enabled ? { error } : {}),
        });
        statuses.push({
          kind: 'price-table',
          status: 'error',
          detail: 'GPU-hours could not be read from Prometheus.',
          fetchedAt: null,
          error,
        });
      }
      if (presence) {
        // the per-day queries only over the days Prometheus has anything for
        const sub = { start: presence.firstDay ?? window.end, end: window.end };
        const empty = sub.start >= sub.end;
        const countsP = (async () => {
          try {
            prometheus = empty
              ? { measured: presence.measured, subjects: new Map() }
              : await this.counts(env, window, sub, presence.measured, kinds, targets, subjectOf);
          } catch (err) {
            notes.push(`Request counts could not be read from Prometheus: ${toAppErrorData(err).message}`);
          }
        })();
        const openCostP = (async () => {
          if (!settings.opencost.enabled) {
            statuses.push({
              kind: 'opencost',
              status: 'not_configured',
              detail: 'OpenCost is off (Cost settings).',
              fetchedAt: null,
            });
            return;
          }
          try {
            const facts = empty
              ? null
              : openCostFacts(await dailyOpenCost(env, sub), sub, settings.currency, subjectOf, teamOf);
            if (facts) sources.push(facts);
            statuses.push({
              kind: 'opencost',
              status: facts?.days.size ? 'ok' : 'empty',
              detail: facts?.days.size
                ? facts.detail
                : 'No OpenCost metrics (node_total_hourly_cost) in Prometheus for these days.',
              fetchedAt: facts?.fetchedAt ?? null,
            });
          } catch (err) {
            statuses.push({
              kind: 'opencost',
              status: 'error',
              detail: 'OpenCost metrics could not be read.',
              fetchedAt: null,
              error: toAppErrorData(err),
            });
          }
        })();
        const priceP = (async () => {
          try {
            const [hours, types] = await Promise.all([
              empty ? Promise.resolve([]) : dailyGpuHours(env, sub),
              nodeInstanceTypes(env, nowMs),
            ]);
            const { source, unpriced } = priceTableFacts(hours, sub, book, types, subjectOf, teamOf);
            sources.push(source);
            statuses.push({
              kind: 'price-table',
              status: source.days.size ? 'ok' : 'empty',
              detail: source.days.size
                ? `${source.detail}; used for days no bill covers`
                : 'No dcgm-exporter GPU series in Prometheus for these days.',
              fetchedAt: table.updatedAt,
            });
            if (unpriced.size)
              notes.push(
                `No price for ${[...unpriced].slice(0, 4).join(', ')}: add ${unpriced.size === 1 ? 'it' : 'them'} to the price table.`,
              );
            if (estimateToday) {
              const todayHours = await gpuHoursToday(env, nowMs);
              const est = priceTableFacts(
                todayHours,
                { start: today, end: today + 1 },
                book,
                types,
                subjectOf,
                teamOf,
              ).source;
              let units = 0n;
              for (const f of est.facts) units += f.gpu + f.other;
              if (est.facts.length) todayEstimate = { units, currency: book.currency };
            }
          } catch (err) {
            statuses.push({
              kind: 'price-table',
              status: 'error',
              detail: 'GPU-hours could not be read from Prometheus.',
              fetchedAt: null,
              error: toAppErrorData(err),
            });
          }
        })();
        await Promise.all([countsP, openCostP, priceP]);
      }
    }
    statuses.sort((a, b) => PRECEDENCE.indexOf(a.kind) - PRECEDENCE.indexOf(b.kind));

    return {
      sources,
      statuses,
      notes,
      targets,
      prometheus: prometheus as { measured: boolean[]; subjects: Map<string, SubjectCounts> } | null,
      todayEstimate: todayEstimate as Money | null,
    };
  }

  /** Request, token and GPU-busy counts per subject and day (arrays over `window`; asked over `sub`). */
  private async counts(
    env: PrometheusCostEnv,
    window: { start: number; end: number },
    sub: { start: number; end: number },
    measured: boolean[],
    kinds: ModelServerKind[],
    targets: PodTarget[] | null,
    subjectOf: (namespace: string, pod: string) => string,
  ): Promise<{ measured: boolean[]; subjects: Map<string, SubjectCounts> }> {
    const n = window.end - window.start;
    const offset = sub.start - window.start;
    const [perKind, tokens, gpu] = await Promise.all([
      dailySuccesses(env, sub, kinds),
      dailyTokens(env, sub),
      dailyGpuBusy(env, sub),
    ]);
    const subjects = new Map<string, SubjectCounts>();
    const get = (key: string) => {
      let c = subjects.get(key);
      if (!c) subjects.set(key, (c = { successes: null, tokens: null, busy: null, samples: null }));
      return c;
    };
    const add = (field: keyof SubjectCounts, key: string, p: PodDaily) => {
      const c = get(key);
      let arr = c[field];
      if (!arr) c[field] = arr = new Float64Array(n).fill(NaN);
      for (let j = 0; j < p.values.length && offset + j < n; j++) {
        const v = p.values[j] as number;
        if (v !== v) continue;
        const i = offset + j;
        const cur = arr[i] as number;
        arr[i] = cur === cur ? cur + v : v;
      }
    };
    // one kind per pod: the cluster's word where there is one, else the first kind with data for it
    const kindOfPod = new Map<string, ModelServerKind>();
    if (targets) {
      for (const ks of perKind)
        for (const p of ks.pods) {
          const t = bestTarget(targets, p.namespace, p.pod);
          if (t) kindOfPod.set(`${p.namespace}/${p.pod}`, t.serverKind);
        }
    }
    for (const kind of KIND_ORDER) {
      const ks = perKind.find((k) => k.kind === kind);
      if (!ks) continue;
      for (const p of ks.pods) {
        const podKey = `${p.namespace}/${p.pod}`;
        const owner = kindOfPod.get(podKey);
        if (owner && owner !== kind) continue;
        if (!owner) kindOfPod.set(podKey, kind);
        add('successes', subjectOf(p.namespace, p.pod), p);
      }
    }
    for (const p of tokens) add('tokens', subjectOf(p.namespace, p.pod), p);
    for (const p of gpu.busy) add('busy', subjectOf(p.namespace, p.pod), p);
    for (const p of gpu.samples) add('samples', subjectOf(p.namespace, p.pod), p);
    return { measured, subjects };
  }

  /** Cost per 1k for any period of complete days (the war room's tiles, the API). */
  async costPer1k(period: Period): Promise<CostPer1kList> {
    const start = parseDay(period.start) as number;
    const end = parseDay(period.end) as number;
    const nowMs = this.now();
    const today = dayOf(nowMs);
    if (end > today)
      throw new AppError(
        'INVALID_INPUT',
        `The period must end by today (${dayText(today)}): only complete days have cost and request counts.`,
        'Choose an earlier end.',
      );
    if (end - start > 400)
      throw new AppError('INVALID_INPUT', 'The period is longer than 400 days.', 'Choose a shorter period.');
    const settings = this.settings();
    const gathered = await this.gather(settings, { start, end }, nowMs, false);
    const money = (units: bigint) => toWire({ units, currency: settings.currency });
    return {
      period,
      currency: settings.currency,
      models: costPer1kForPeriod({
        sources: gathered.sources,
        range: { start, end },
        currency: settings.currency,
        teamsByNamespace: settings.teamsByNamespace,
        prometheus: gathered.prometheus,
      }).map((m) => ({
        key: m.key,
        name: m.name,
        cost: money(m.cost),
        successes: m.successes,
        costPer1k: m.costPer1k === null ? null : money(m.costPer1k),
        measuredDays: m.measuredDays,
      })),
    };
  }

  async exportReview(input: {
    month: string;
    format: 'csv' | 'markdown';
    charts: Parameters<typeof writeExport>[3];
  }): Promise<ExportResult> {
    const review = await this.review(input.month);
    return writeExport(
      this.deps.exportDir,
      review,
      input.format,
      input.format === 'markdown' ? input.charts : [],
      this.now(),
    );
  }
}

function bestTarget(targets: readonly PodTarget[], namespace: string, pod: string): PodTarget | null {
  let best: PodTarget | null = null;
  for (const t of targets) {
    if (
      t.namespace === namespace &&
      pod.startsWith(t.podPrefix) &&
      (!best || t.podPrefix.length > best.podPrefix.length)
    )
      best = t;
  }
  return best;
}

type AnomalyPage = {
  Anomalies: Array<{
    AnomalyId: string;
    AnomalyStartDate?: string | undefined;
    AnomalyEndDate?: string | undefined;
    DimensionValue?: string | undefined;
    RootCauses?:
      | Array<{ Service?: string | undefined; UsageType?: string | undefined; Region?: string | undefined }>
      | undefined;
    AnomalyScore?: { MaxScore: number } | undefined;
    Impact: {
      TotalImpact?: number | undefined;
      TotalActualSpend?: number | undefined;
      TotalExpectedSpend?: number | undefined;
      TotalImpactPercentage?: number | undefined;
    };
  }>;
};

/** Cost Explorer's anomalies (impacts in USD, as the service reports them). */
function anomaliesFrom(pages: AnomalyPage[], today: number): CostAnomaly[] {
  return pages.flatMap((p) =>
    p.Anomalies.map((a) => {
      const impact = a.Impact;
      const m = (v: number | undefined) => toWire({ units: unitsFromNumber(v ?? 0) ?? 0n, currency: 'USD' });
      return {
        id: a.AnomalyId,
        start: (a.AnomalyStartDate ?? '').slice(0, 10) || dayText(today),
        end: (a.AnomalyEndDate ?? a.AnomalyStartDate ?? '').slice(0, 10) || dayText(today),
        dimension: a.DimensionValue ?? '—',
        impact: m(impact.TotalImpact),
        actual: m(impact.TotalActualSpend),
        expected: m(impact.TotalExpectedSpend),
        impactRatio: impact.TotalImpactPercentage === undefined ? null : impact.TotalImpactPercentage / 100,
        score: a.AnomalyScore?.MaxScore ?? 0,
        rootCauses: (a.RootCauses ?? []).map((c) =>
          [c.Service, c.UsageType, c.Region].filter(Boolean).join(' / '),
        ),
      };
    }),
  );
}
