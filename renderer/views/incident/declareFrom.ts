import type { AlertGroup } from '../../../shared/alerts';
import { incidentStore } from '../../state';

/** Opens the Declare dialog from an alert group: its title from the alert, its model, its alert names. */
export function declareFromAlerts(group: AlertGroup): void {
  const firing = group.alerts.find((a) => a.state === 'firing') ?? group.alerts[0];
  const title = firing ? (firing.summary ?? `${firing.name} on ${group.label}`) : group.label;
  incidentStore.getState().startDeclare({
    title: title.slice(0, 200),
    serviceIds: group.serviceId ? [group.serviceId] : [],
    alertNames: [...new Set(group.alerts.map((a) => a.name))].slice(0, 50),
  });
}

/** Opens the Declare dialog for one paging model service (its tile in Model health). */
export function declareForModel(serviceId: string, name: string, alertNames: string[] = []): void {
  incidentStore.getState().startDeclare({
    title: `${name} paging`,
    serviceIds: [serviceId],
    alertNames,
  });
}
