/**
 * Handlers of the cost channels. The CostService (main/cost) does the work; this wires it to the profile's
 * store, the saved Prometheus, the cluster's model services, the AWS environment of this process, and records
 * what changes things or costs money in the audit log.
 */
import { AppError } from '../../shared/errors';
import { awsEnvFrom } from '../cost/awsProfiles';
import { CostService, defaultExportDir, type CostServiceDeps } from '../cost/service';
import type { PodTarget } from '../cost/sources';
import type { costChannels } from '../../shared/cost';
import { metricsEnv, type ApiContext } from './context';
import type { HandlersOf } from './dispatch';
import { modelServicesOrNone } from './models';

export interface CostApiOptions {
  /** tests: replace parts of the service's dependencies (clock, Cost Explorer client, export folder) */
  overrides?: Partial<CostServiceDeps>;
}

export function costService(ctx: ApiContext, options: CostApiOptions = {}): CostService {
  return new CostService({
    store: ctx.store,
    prometheus: () => metricsEnv(ctx, 60_000).client,
    targets: async (): Promise<PodTarget[] | null> => {
      const services = await modelServicesOrNone(ctx);
      return services.length
        ? services.map((s) => ({
            id: s.id,
            name: s.name,
            namespace: s.namespace,
            modelName: s.modelName,
            podPrefix: s.podPrefix,
            serverKind: s.serverKind,
          }))
        : null;
    },
    connections: () => {
      let cluster: string | null = null;
      try {
        // started as a review would start it (no wait): a cluster set in Settings is noticed once it answers
        const conn = ctx.connections.connect(null);
        if (conn.status().status === 'ready') cluster = conn.context;
      } catch {
        // no kubeconfig: no cluster
      }
      return { cluster, prometheus: ctx.settings.prometheusConfig()?.url ?? null };
    },
    awsEnv: awsEnvFrom(process.env),
    exportDir: defaultExportDir(ctx.store.path),
    ...options.overrides,
  });
}

/** The handlers of the cost channels (spread into the dispatcher's table). */
export function costHandlers(ctx: ApiContext, options: CostApiOptions = {}): HandlersOf<typeof costChannels> {
  const cost = costService(ctx, options);
  const audit = (action: string, target: string, result: string, details: Record<string, unknown> = {}) =>
    ctx.store.audit.append({ actor: ctx.actor, action, target, result, details });

  return {
    'cost.settings': () => cost.settings(),
    'cost.updateSettings': (input) =>
      ctx.store.transaction(() => {
        const saved = cost.updateSettings(input);
        audit('cost.settings', Object.keys(input).join(', ') || 'nothing', 'saved', {
          aws: { enabled: saved.aws.enabled, profile: saved.aws.profile, region: saved.aws.region },
          attribution: saved.attribution,
          currency: saved.currency,
        });
        return saved;
      }),
    'cost.awsProfiles': () => cost.awsProfiles(),
    'cost.refreshPlan': (input) => cost.refreshPlan(input.month),
    'cost.refresh': async (input) => {
      const plan = cost.refreshPlan(input.month);
      if (plan.requests > input.expectedRequests) {
        throw new AppError(
          'ACTION_REFUSED',
          `This refresh now needs at least ${plan.requests} paid requests, more than the ${input.expectedRequests} you were shown.`,
          'Look at the new estimate and confirm again.',
          { requests: plan.requests },
        );
      }
      try {
        const result = await cost.refresh(input.month);
        audit('cost.refresh', `Cost Explorer ${input.month}`, 'fetched', {
          requests: result.requests,
          price: result.price,
        });
        return result;
      } catch (err) {
        const e = err instanceof AppError ? err : null;
        audit('cost.refresh', `Cost Explorer ${input.month}`, `failed: ${e?.code ?? 'INTERNAL'}`, {
          requestsMade: e?.details?.requestsMade ?? null,
        });
        throw err;
      }
    },
    'cost.review': (input) => cost.review(input.month),
    'cost.reviewInputs': (input) => cost.reviewInputs(input.month),
    'cost.per1k': (input) => cost.costPer1k(input.period),
    'cost.importFocus': async (input) => {
      const imported = await cost.importFocus(input.path);
      audit('cost.importFocus', imported.fileName, 'imported', {
        id: imported.id,
        rows: imported.rows,
        totals: imported.totals,
      });
      return imported;
    },
    'cost.focusImportProgress': () => cost.focusImportProgress(),
    'cost.focusImports': () => cost.focusImports(),
    'cost.deleteFocusImport': (input) => {
      const list = cost.deleteFocusImport(input.id);
      audit('cost.deleteFocusImport', `import #${input.id}`, 'deleted');
      return list;
    },
    'cost.priceTable': () => cost.priceTable(),
    'cost.updatePriceTable': (input) =>
      ctx.store.transaction(() => {
        const table = cost.updatePriceTable(input);
        audit('cost.updatePriceTable', 'price table', 'saved', {
          entries: table.entries.length,
          currency: table.currency,
        });
        return table;
      }),
    'cost.export': (input) => cost.exportReview(input),
  };
}
