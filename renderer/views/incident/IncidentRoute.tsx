import { useFromHash } from '../../components/useFromHash';
import { incidentRouteFromHash } from '../../state/incident';
import { IncidentsView } from './IncidentsView';
import { WarRoomView } from './WarRoomView';
import './incident.css';

/** `#/incident` lists the incidents; `#/incident/<id>` is one war room (`?at=<iso>`: a replay position). */
export function IncidentRoute() {
  const route = useFromHash(incidentRouteFromHash);
  return route.id ? <WarRoomView key={route.id} id={route.id} at={route.at} /> : <IncidentsView />;
}
