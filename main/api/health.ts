/**
 * Handlers of model health: one model's health, the overview's tiles, the catalogue with its overrides, SLOs and
 * ad-hoc range queries. Prometheus comes from the saved settings; results go through the profile's series cache.
 */
import { z } from 'zod';
import type { ChannelOutput, ChannelParsedInput } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { CatalogueOverride, Slo, type healthChannels } from '../../shared/health';
import { buildChart, gridFor } from '../metrics/charts';
import { catalogueEntry, modelHealth, modelTiles, type MetricsEnv } from '../metrics/modelHealth';
import { CachedRange } from '../metrics/rangeCache';
import { metricsEnv, type ApiContext } from './context';
import type { HandlersOf } from './dispatch';

const OVERRIDES_KEY = 'metrics.catalogueOverrides';
const SLOS_KEY = 'metrics.slos';
const Overrides = z.record(z.string(), CatalogueOverride);
const Slos = z.record(z.string(), Slo);

export function healthHandlers(ctx: ApiContext): HandlersOf<typeof healthChannels> {
  return {
    'metrics.modelHealth': (input) => getModelHealth(ctx, input),
    'metrics.modelOverview': (input) => getModelOverview(ctx, input),
    'metrics.catalogue': (input) => getCatalogue(ctx, input),
    'metrics.setOverride': (input) => setCatalogueOverride(ctx, input),
    'metrics.setSlo': (input) => setSlo(ctx, input),
    'metrics.range': (input) => rangeQuery(ctx, input),
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

/** The saved catalogue overrides, by model service id (every view's queries honour them). */
export function catalogueOverrides(ctx: ApiContext): Record<string, CatalogueOverride> {
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

async function getModelHealth(
  ctx: ApiContext,
  input: ChannelParsedInput<'metrics.modelHealth'>,
): Promise<ChannelOutput<'metrics.modelHealth'>> {
  const env = metricsEnv(ctx);
  if (!env.client) throw prometheusNotConfigured();
  return modelHealth(
    env,
    input,
    catalogueOverrides(ctx)[input.service.id] ?? null,
    slos(ctx)[input.service.id] ?? null,
  );
}

async function getModelOverview(
  ctx: ApiContext,
  input: ChannelParsedInput<'metrics.modelOverview'>,
): Promise<ChannelOutput<'metrics.modelOverview'>> {
  const env = metricsEnv(ctx);
  if (!env.client) throw prometheusNotConfigured();
  const { tiles, offline } = await modelTiles(env, input.services, catalogueOverrides(ctx));
  const stale = env.stale?.view() ?? null;
  return {
    fetchedAt: new Date().toISOString(),
    tiles,
    // the copy's own time: "as of 18:45" is when the figures were fetched, not when they were served
    cache: offline || stale ? { fetchedAt: stale?.asOf ?? new Date().toISOString(), offline: true } : null,
    stale,
  };
}

async function getCatalogue(
  ctx: ApiContext,
  input: ChannelParsedInput<'metrics.catalogue'>,
): Promise<ChannelOutput<'metrics.catalogue'>> {
  const env = metricsEnv(ctx);
  requirePrometheus(env);
  return (await catalogueEntry(env, input.service, catalogueOverrides(ctx)[input.service.id] ?? null)).view;
}

/** Saves (or, with `override: null`, removes) a model's catalogue override, and records it in the audit log. */
async function setCatalogueOverride(
  ctx: ApiContext,
  input: ChannelParsedInput<'metrics.setOverride'>,
): Promise<ChannelOutput<'metrics.setOverride'>> {
  const all = catalogueOverrides(ctx);
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

function setSlo(
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

/** An ad-hoc range query (an override being tried, "Show PromQL" re-run): one chart on the aligned grid. */
async function rangeQuery(
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

/** Model health and GPUs need a live Prometheus. */
export function prometheusNotConfigured(): AppError {
  return new AppError(
    'NOT_CONFIGURED',
    'No Prometheus URL is set.',
    'Enter the Prometheus URL in Settings to see model health and GPUs.',
  );
}
