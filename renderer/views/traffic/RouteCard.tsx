import { useMemo } from 'react';
import type { RouteView } from '../../../shared/traffic';
import type { AuditEntry } from '../../../shared/audit';
import { Banner } from '../../components/Banner';
import { Ticks } from '../../components/Ticks';
import {
  changesOf,
  conditionTone,
  previousWeights,
  routeKey,
  useTraffic,
  type Weights,
} from '../../state/traffic';

import { RouteHistory } from './RouteHistory';
import { RuleSplit } from './RuleSplit';

/** One route: its status conditions, a split per rule, and the changes made to it from this console. */
export function RouteCard({
  route,
  changes,
  changesError,
  onChange,
}: {
  route: RouteView;
  changes: AuditEntry[] | undefined;
  changesError?: string;
  onChange: (route: RouteView, rule: number, weights: Weights) => void;
}) {
  const remembered = useTraffic((s) => s.remembered);
  const history = useMemo(() => (changes ? changesOf(changes, route) : undefined), [changes, route]);
  return (
    <section
      className="panel traffic-route"
      data-testid="route-card"
      data-route={route.name}
      aria-label={routeKey(route)}
    >
      <header className="traffic-route-head">
        <h2>
          <span className="muted traffic-kind">{route.kind}</span>{' '}
          <span className="mono">{route.namespace}/</span>
          <span className="mono traffic-name">{route.name}</span>
        </h2>
        <span className="traffic-conditions" data-testid="route-conditions">
          {route.conditions.length === 0 && <span className="muted">no status conditions</span>}
          {route.conditions.map((c, i) => (
            <span
              key={`${c.type}-${i}`}
              className={`traffic-cond traffic-cond-${conditionTone(c)}`}
              title={`${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}`}
            >
              <span className={`dot dot-${conditionTone(c)}`} aria-hidden="true" />
              {c.type}
              {c.status !== 'True' && `: ${c.status}`}
              {c.status !== 'True' && c.reason ? ` (${c.reason})` : ''}
            </span>
          ))}
        </span>
        <span className="toolbar-spacer" />
        <span className="muted mono traffic-rv" title="resourceVersion: changes on every edit">
          rv {route.resourceVersion}
        </span>
      </header>
      {route.ownerWarning && (
        <Banner
          tone="warning"
          title="A controller owns this route and would revert a hand edit"
          testId="route-owner-warning"
        >
          <Ticks text={route.ownerWarning} />
        </Banner>
      )}
      <div className="traffic-route-body">
        <div className="traffic-rules">
          {route.rules.length === 0 && <p className="muted">This route has no rules with backends.</p>}
          {route.rules.map((_, rule) => (
            <RuleSplit
              key={`${rule}-${route.resourceVersion}`}
              route={route}
              rule={rule}
              previous={previousWeights(route, rule, changes, remembered)}
              onChange={onChange}
            />
          ))}
        </div>
        <RouteHistory route={route} history={history} error={changesError} />
      </div>
    </section>
  );
}
