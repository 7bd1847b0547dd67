import type { ActionRequest } from '../../shared/actions';
import type { AlertList } from '../../shared/alerts';
import type { IncidentList } from '../../shared/incident';
import type { ModelService } from '../../shared/models';
import { incidentStore } from '../state';
import { actionsStore, requestFor } from '../state/actions';
import { views, type ViewName } from '../state/app';
import { incidentHash } from '../state/incident';
import { detailHash } from '../state/modelDetail';
import { defaultFallback } from '../views/incident/DeclareDialog';
import { fallbackRequest } from '../views/incident/WarRoomActions';
import type { Rankable } from './commandRank';
import { viewTitles } from './Shell';

export interface PaletteCommand extends Rankable {
  id: string;
  /** shown at the right of the row: what kind of thing it is */
  group: 'View' | 'Model' | 'Action' | 'Incident';
  /** a second line: namespace, kind, where it leads */
  detail?: string;
  run(): void;
}

/** Words a view is also found by (what users of Lens, k9s and Grafana call it). */
const viewWords: Record<ViewName, string> = {
  models: 'services deployments workloads inference',
  traffic: 'routes split fallback httproute virtualservice',
  health: 'metrics slo latency errors promql',
  gpus: 'gpu utilisation heatmap idle dcgm',
  cost: 'money budget review focus',
  alerts: 'alertmanager silences firing',
  incident: 'incidents war room postmortem replay',
  audit: 'log history hash chain',
  settings: 'preferences kubeconfig prometheus context',
};

const goHash = (hash: string) => () => {
  window.location.hash = hash;
};
const openAction = (request: ActionRequest) => () => void actionsStore.getState().open(request);

/** The Alerts view with the silence form of this alert open (`#/alerts?silence=<fingerprint>`). */
export const silenceHash = (fingerprint: string) => `#/alerts?silence=${encodeURIComponent(fingerprint)}`;

/** The request that rolls a model back: the previous revision, or KServe's canary to 0%. */
function rollbackRequest(m: ModelService): ActionRequest {
  const target = { kind: m.workloadKind, namespace: m.namespace, name: m.name };
  return m.workloadKind === 'InferenceService'
    ? requestFor('canary-zero', target)
    : requestFor('rollback', target);
}

/** Everything the palette offers, from what the stores hold now: views, models, actions, incidents. */
export function paletteCommands(input: {
  models: readonly ModelService[] | undefined;
  alerts: AlertList | undefined;
  incidents: IncidentList | undefined;
}): PaletteCommand[] {
  const models = input.models ?? [];
  const out: PaletteCommand[] = views.map((v) => ({
    id: `view:${v}`,
    group: 'View',
    title: viewTitles[v],
    keywords: `go ${viewWords[v]}`,
    run: goHash(`#/${v}`),
  }));

  for (const m of models)
    out.push({
      id: `model:${m.id}`,
      group: 'Model',
      title: m.name,
      detail: `${m.namespace} · ${m.workloadKind} · ${m.modelName}`,
      keywords: `${m.namespace} ${m.workloadKind} ${m.modelName} open detail`,
      run: goHash(detailHash(m.id)),
    });

  for (const m of models) {
    out.push({
      id: `rollback:${m.id}`,
      group: 'Action',
      title: `Roll back ${m.name}…`,
      detail:
        m.workloadKind === 'InferenceService'
          ? 'KServe: all traffic to the previous revision (canary 0%); review before anything is written'
          : 'To the previous revision; review before anything is written',
      keywords: `undo revert ${m.namespace}`,
      run: openAction(rollbackRequest(m)),
    });
    const fallbackId = defaultFallback(m, models);
    const request = fallbackRequest(
      { serviceId: m.id, name: m.name, serverKind: m.serverKind, modelName: m.modelName, fallbackId },
      models,
    );
    if (request)
      out.push({
        id: `fallback:${m.id}`,
        group: 'Action',
        title: `Route ${m.name} to fallback…`,
        detail: m.route ? `${m.route.kind} ${m.route.namespace}/${m.route.name}` : undefined,
        keywords: `traffic drain split move ${m.namespace}`,
        run: openAction(request),
      });
  }

  const silenceable = (input.alerts?.groups ?? []).flatMap((g) =>
    g.alerts
      .filter((a) => a.source === 'alertmanager' && a.state === 'firing')
      .map((a) => ({ alert: a, group: g.label })),
  );
  out.push({
    id: 'silence',
    group: 'Action',
    title: 'Silence…',
    detail: silenceable[0]
      ? `The silence form of ${silenceable[0].alert.name} on ${silenceable[0].group}`
      : 'Alerts: pick the alert to silence',
    keywords: 'mute alert alertmanager',
    run: goHash(silenceable[0] ? silenceHash(silenceable[0].alert.fingerprint) : '#/alerts'),
  });
  for (const { alert, group } of silenceable)
    out.push({
      id: `silence:${alert.fingerprint}`,
      group: 'Action',
      title: `Silence ${alert.name} on ${group}…`,
      detail: alert.summary ?? undefined,
      keywords: 'mute alert',
      run: goHash(silenceHash(alert.fingerprint)),
    });

  out.push(
    {
      id: 'incident:list',
      group: 'Action',
      title: 'Open incident…',
      detail: 'Incidents: open and past, incident files, the sample',
      keywords: 'war room list',
      run: goHash('#/incident'),
    },
    {
      id: 'incident:declare',
      group: 'Action',
      title: 'Declare incident…',
      detail: 'Title, severity, the models involved and their fallbacks',
      keywords: 'new start page',
      run: () => incidentStore.getState().startDeclare(),
    },
  );
  const incidents = [...(input.incidents?.open ?? []), ...(input.incidents?.past ?? [])];
  for (const i of incidents)
    out.push({
      id: `incident:${i.id}`,
      group: 'Incident',
      title: `Open incident: ${i.title}`,
      detail: `${i.severity} · ${i.status} · ${i.models.join(', ')}`,
      keywords: `war room ${i.models.join(' ')}`,
      run: goHash(incidentHash(i.id)),
    });
  return out;
}
