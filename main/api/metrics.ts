/**
 * Handlers of the metrics channels: model health, the overview's tiles, the catalogue with its overrides,
 * SLOs, the GPU view and ad-hoc range queries. Prometheus comes from the saved settings; results go through
 * the profile's series cache; the cluster's inventory says only which pods belong to which model service (and a
 * cluster that does not answer only makes the grouping coarser).
 */
import { z } from 'zod';
import type { ChannelOutput, ChannelParsedInput } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { CatalogueOverride, Slo } from '../../shared/health';
import { type ServiceRef } from '../../shared/models';
import { loadMappingRules } from '../kube/inventory/mappingRules';
import { modelViewFrom } from '../kube/inventory/modelView';
import type { DiscoveredModelService } from '../kube/modelServices';
import { buildChart, gridFor } from '../metrics/charts';
import { readPriceTable } from '../cost/priceTable';
import { gpuFleet, type PodOwner } from '../metrics/gpu';
import type { GpuPriceList } from '../metrics/gpuPrices';
import { catalogueEntry, modelHealth, modelTiles, type MetricsEnv } from '../metrics/modelHealth';
import { PrometheusClient } from '../metrics/prometheus';
import { CachedRange } from '../metrics/rangeCache';
import type { ApiContext } from './context';

const OVERRIDES_KEY = 'metrics.catalogueOverrides';
const SLOS_KEY = 'metrics.slos';
const Overrides = z.record(z.string(), CatalogueOverride);
const Slos = z.record(z.string(), Slo);

const CACHE_KEEP_MS = 30 * 86400_000;
const pruned = new WeakSet<ApiContext>();

/** Prometheus (null when not configured: only the cache answers) and the profile's series cache. */
export function metricsEnv(ctx: ApiContext, timeoutMs = 15_000): MetricsEnv {
  // answers fetched more than 30 days ago are dropped once per start (closed windows are otherwise kept)
  if (!pruned.has(ctx) && !ctx.store.readonly) {
    pruned.add(ctx);
    try {
      ctx.store.seriesCache.prune(new Date(Date.now() - CACHE_KEEP_MS));
    } catch {
      // pruning is housekeeping: a failure here must not stop a chart
    }
  }
  const config = ctx.settings.prometheusConfig();
  return {
    client: config ? new PrometheusClient({ ...config, timeoutMs }) : null,
    cache: ctx.store.readonly ? null : ctx.store.seriesCache,
  };
}

function readRecord<T>(
  ctx: ApiContext,
  key: string,
  schema: z.ZodType<Record<string, T>>,
): Record<string, T> {
  const parsed = schema.safeParse(ctx.store.settings.get(key));
  return parsed.success ? parsed.data : {};
}

export function overrides(ctx: ApiContext): Record<string, CatalogueOverride> {
  return readRecord(ctx, OVERRIDES_KEY, Overrides);
}

export function slos(ctx: ApiContext): Record<string, Slo> {
  return readRecord(ctx, SLOS_KEY, Slos);
}

function requirePrometheus(env: MetricsEnv): void {
  if (!env.client && !env.cache) {
    throw new AppError(
      'NOT_CONFIGURED',
      'No Prometheus URL is set.',
      'Enter the Prometheus URL in Settings.',
    );
  }
}

export async function getModelHealth(
  ctx: ApiContext,
  input: ChannelParsedInput<'metrics.modelHealth'>,
): Promise<ChannelOutput<'metrics.modelHealth'>> {
  const env = metricsEnv(ctx);
  if (!env.client) throw notConfigured();
  return modelHealth(
    env,
    input,
    overrides(ctx)[input.service.id] ?? null,
    slos(ctx)[input.service.id] ?? null,
  );
}

export async function getModelOverview(
  ctx: ApiContext,
  input: ChannelParsedInput<'metrics.modelOverview'>,
): Promise<ChannelOutput<'metrics.modelOverview'>> {
  const env = metricsEnv(ctx);
  if (!env.client) throw notConfigured();
  const { tiles, offline } = await modelTiles(env, input.services, overrides(ctx));
  return {
    fetchedAt: new Date().toISOString(),
    tiles,
    cache: offline ? { fetchedAt: new Date().toISOString(), offline } : null,
  };
}

export async function getCatalogue(
  ctx: ApiContext,
  input: ChannelParsedInput<'metrics.catalogue'>,
): Promise<ChannelOutput<'metrics.catalogue'>> {
  const env = metricsEnv(ctx);
  requirePrometheus(env);
  return (await catalogueEntry(env, input.service, overrides(ctx)[input.service.id] ?? null)).view;
}

/** Saves (or, with `override: null`, removes) a model's catalogue override, and records it in the audit log. */
export async function setCatalogueOverride(
  ctx: ApiContext,
  input: ChannelParsedInput<'metrics.setOverride'>,
): Promise<ChannelOutput<'metrics.setOverride'>> {
  const all = overrides(ctx);
  const before = all[input.service.id] ?? null;
  if (input.override) all[input.service.id] = input.override;
  else delete all[input.service.id];
  ctx.store.transaction(() => {
    ctx.store.settings.set(OVERRIDES_KEY, all);
    ctx.store.audit.append({
      actor: ctx.actor,
      action: 'metrics.setOverride',
      target: input.service.id,
      result: input.override ? 'saved' : 'removed',
      details: { before, after: input.override },
    });
  });
  return getCatalogue(ctx, { service: input.service });
}

export function setSlo(
  ctx: ApiContext,
  input: ChannelParsedInput<'metrics.setSlo'>,
): ChannelOutput<'metrics.setSlo'> {
  const all = slos(ctx);
  const before = all[input.serviceId] ?? null;
  if (input.slo) all[input.serviceId] = input.slo;
  else delete all[input.serviceId];
  ctx.store.transaction(() => {
    ctx.store.settings.set(SLOS_KEY, all);
    ctx.store.audit.append({
      actor: ctx.actor,
      action: 'metrics.setSlo',
      target: input.serviceId,
      result: input.slo ? 'saved' : 'removed',
      details: { before, after: input.slo },
    });
  });
  return { serviceId: input.serviceId, slo: input.slo };
}

export async function getGpuFleet(
  ctx: ApiContext,
  input: ChannelParsedInput<'metrics.gpuFleet'>,
): Promise<ChannelOutput<'metrics.gpuFleet'>> {
  const env = metricsEnv(ctx, 60_000);
  if (!env.client) throw notConfigured();
  const services = await modelServicesOrNone(ctx, input.context);
  return gpuFleet(env, input, services, gpuPriceList(ctx));
}

/** The GPU-model prices of the cost view's price table (edited there), in USD; null when it cannot be read. */
function gpuPriceList(ctx: ApiContext): GpuPriceList | null {
  try {
    const table = readPriceTable(ctx.store);
    if (table.currency !== 'USD') return null;
    return table.entries
      .filter((e) => e.kind === 'gpu')
      .map((e) => ({ match: e.match, usdPerHour: Number(e.hourly) }))
      .filter((e) => Number.isFinite(e.usdPerHour) && e.match.trim() !== '');
  } catch {
    return null;
  }
}

/** An ad-hoc range query (an override being tried, "Show PromQL" re-run): one chart on the aligned grid. */
export async function rangeQuery(
  ctx: ApiContext,
  input: ChannelParsedInput<'metrics.range'>,
): Promise<ChannelOutput<'metrics.range'>> {
  const env = metricsEnv(ctx);
  requirePrometheus(env);
  const grid = gridFor(input, Date.now());
  const g = await new CachedRange(env.client, env.cache).get({
    query: input.promql,
    ...grid,
    maxSeries: 200,
  });
  return buildChart('range', input.title ?? 'Query', input.unit ?? 'count', grid, [
    { promql: input.promql, grid: g, name: 'value' },
  ]);
}

function notConfigured(): AppError {
  return new AppError(
    'NOT_CONFIGURED',
    'No Prometheus URL is set.',
    'Enter the Prometheus URL in Settings to see model health and GPUs.',
  );
}

// ---------------------------------------------------------------------------------------------------------
// which pods belong to which model service: the same watch-fed inventory and mapping rules as the Models view
// ---------------------------------------------------------------------------------------------------------

const KUBE_TIMEOUT_MS = 5_000;

/**
 * The model services of the context, as the Models view finds them (the user's mapping rules included), or none
 * when no cluster is configured or it has not answered in time (grouping then falls back to pod names).
 */
export async function modelServicesOrNone(
  ctx: ApiContext,
  context?: string,
): Promise<DiscoveredModelService[]> {
  try {
    const conn = ctx.connections.connect(context ?? null);
    await conn.inventory.whenReady(KUBE_TIMEOUT_MS);
    return modelViewFrom(conn.inventory, loadMappingRules(ctx.store).rules, Date.now());
  } catch {
    return [];
  }
}

export function podOwners(services: readonly DiscoveredModelService[]): PodOwner[] {
  return services.map((s) => ({ id: s.id, namespace: s.namespace, podPrefix: s.podPrefix }));
}

export type { ServiceRef };
