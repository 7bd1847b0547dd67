import { useEffect, useMemo, useRef, useState } from 'react';
import type { RouteView } from '../../shared/traffic';
import type { AuditEntry } from '../../shared/audit';
import type { ModelService } from '../../shared/models';
import { ActionDialog } from '../components/ActionDialog';
import { Banner } from '../components/Banner';
import { Empty } from '../components/Empty';
import { ErrorPanel } from '../components/ErrorPanel';
import { Icon } from '../components/Icon';
import { Ticks } from '../components/Ticks';
import { useNow } from '../components/useNow';
import {
  errorRatioSeverity,
  formatAgo,
  formatCompact,
  formatPercent,
  formatTimestamp,
  NONE,
} from '../format';
import { useModels } from '../state';
import { actionsStore, useActions } from '../state/actions';
import { detailHash } from '../state/modelDetail';
import {
  changeShares,
  changesOf,
  conditionTone,
  describeChange,
  parseWeight,
  presetsFor,
  previousWeights,
  routeKey,
  routeRef,
  ruleWeights,
  sameWeights,
  sharePercents,
  trafficStore,
  useTraffic,
  validateSplit,
  weightPathLabels,
  type Weights,
} from '../state/traffic';
import './actions.css';

/** Routes are read again this often while the view is open (they are not streamed). */
const ROUTES_REFRESH_MS = 15_000;

interface Pending {
  key: string;
  route: RouteView;
  rule: number;
  before: Weights;
}

/** The one place a change of weights starts: remembers what was there, then opens the dialog. */
function useChangeSplit() {
  const pending = useRef<Pending | null>(null);
  useEffect(
    () =>
      actionsStore.onSettled((request, outcome) => {
        if (request.type !== 'traffic') return;
        const p = pending.current;
        if (p && outcome?.status === 'done' && p.key === routeKey(request.route) && p.rule === request.rule)
          trafficStore.getState().remember(routeRef(p.route), p.rule, p.before);
        void trafficStore.getState().load();
        void trafficStore.getState().loadChanges();
      }),
    [],
  );
  return (route: RouteView, rule: number, weights: Weights) => {
    pending.current = { key: routeKey(route), route, rule, before: ruleWeights(route, rule) };
    void actionsStore
      .getState()
      .open({ type: 'traffic', route: routeRef(route), rule, weights }, weightPathLabels(route, rule));
  };
}

export function TrafficView() {
  const routes = useTraffic((s) => s.routes);
  const changes = useTraffic((s) => s.changes);
  const now = useNow(5000);
  const change = useChangeSplit();

  useEffect(() => {
    const load = () => {
      if (document.visibilityState === 'hidden') return;
      // not while a dialog is open: what the user reviews must not move under them
      if (actionsStore.getState().dialog.phase !== 'closed') return;
      void trafficStore.getState().load();
    };
    void trafficStore.getState().load();
    void trafficStore.getState().loadChanges();
    const t = setInterval(load, ROUTES_REFRESH_MS);
    return () => clearInterval(t);
  }, []);

  const reload = () => {
    void trafficStore.getState().load();
    void trafficStore.getState().loadChanges();
  };

  const firstLoad = !routes.data && routes.status !== 'error';
  return (
    <div className="view view-scroll traffic" data-testid="traffic-view">
      <div className="toolbar">
        <span className="muted traffic-lead">
          Traffic split of each HTTPRoute, VirtualService and Knative Service: move traffic to a fallback, and
          undo it.
        </span>
        <span className="toolbar-spacer" />
        {routes.updatedAt !== undefined && (
          <span className="muted tnum traffic-updated">updated {formatAgo(routes.updatedAt, now)}</span>
        )}
        <button
          type="button"
          className="btn btn-ghost"
          onClick={reload}
          disabled={routes.status === 'loading'}
        >
          <Icon name="refresh" className={routes.status === 'loading' ? 'spin' : undefined} />
          Refresh
        </button>
      </div>

      {routes.data && routes.status === 'error' && routes.error && (
        <Banner
          tone="warning"
          title={`Showing the routes last read: ${routes.error.message}`}
          code={routes.error.code}
        >
          <Ticks text={routes.error.hint} />
        </Banner>
      )}
      {!routes.data && routes.status === 'error' && routes.error && (
        <div className="view-center">
          <ErrorPanel title="Could not list the routes" error={routes.error} onRetry={reload} />
        </div>
      )}
      {firstLoad && <div className="loading-line">Reading routes…</div>}
      {routes.data && routes.data.length === 0 && (
        <Empty title="No routes in this cluster">
          Firebreak shows Gateway API HTTPRoutes, Istio VirtualServices and Knative Services. None exist, or
          the CRDs are not installed, or your account cannot list them.
        </Empty>
      )}
      {routes.data?.map((route) => (
        <RouteCard
          key={routeKey(route)}
          route={route}
          changes={changes.data}
          changesError={changes.status === 'error' ? changes.error?.message : undefined}
          onChange={change}
        />
      ))}
      <ActionDialog />
    </div>
  );
}

function RouteCard({
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

function RuleSplit({
  route,
  rule,
  previous,
  onChange,
}: {
  route: RouteView;
  rule: number;
  previous: Weights | null;
  onChange: (route: RouteView, rule: number, weights: Weights) => void;
}) {
  const busy = useActions((s) => s.dialog.phase !== 'closed');
  const models = useModels((s) => s.list.data?.models);
  const rateKnown = useModels((s) => s.list.data?.metrics.status === 'ok');
  const backends = route.rules[rule] ?? [];
  const names = backends.map((b) => b.name);
  const current = ruleWeights(route, rule);
  const presets = presetsFor(route, rule, previous);
  const [draft, setDraft] = useState<Record<string, string>>(() =>
    Object.fromEntries(backends.map((b) => [b.name, String(b.weight)])),
  );
  const parsed: Weights = Object.fromEntries(names.map((n) => [n, parseWeight(draft[n] ?? '')]));
  const problem = validateSplit(route.kind, names, parsed);
  const unchanged = !problem && sameWeights(names, parsed, current);
  const draftShares = problem ? null : sharePercents(names, parsed);
  const model = (name: string): ModelService | undefined =>
    models?.find((m) => m.name === name && m.namespace === route.namespace);

  return (
    <div className="traffic-rule" data-testid="route-rule" data-rule={rule}>
      {route.rules.length > 1 && (
        <div className="traffic-rule-title">
          Rule {rule + 1} <span className="muted">of {route.rules.length}</span>
        </div>
      )}
      <SplitBar names={names} weights={current} />
      <table className="grid traffic-backends" data-testid="backends-table">
        <colgroup>
          <col className="traffic-col-name" />
          <col className="traffic-col-port" />
          <col className="traffic-col-weight" />
          <col className="traffic-col-share" />
          <col className="traffic-col-rate" />
          <col className="traffic-col-err" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Backend</th>
            <th scope="col" className="num">
              Port
            </th>
            <th scope="col" className="num">
              Weight
            </th>
            <th scope="col" className="num">
              Share
            </th>
            <th scope="col" className="num" title="The model service of the same name, last 5 minutes">
              Requests/s
            </th>
            <th scope="col" className="num" title="The model service of the same name, last 5 minutes">
              Error ratio
            </th>
          </tr>
        </thead>
        <tbody>
          {backends.map((b, i) => {
            const m = model(b.name);
            const errSev = errorRatioSeverity(m?.errorRatio);
            return (
              <tr key={`${b.name}-${i}`} data-testid="backend-row" data-backend={b.name}>
                <td className="ellipsis">
                  <span className={`traffic-swatch traffic-c${i % 6}`} aria-hidden="true" />
                  {m ? (
                    <a href={detailHash(m.id)} className="traffic-backend-link">
                      {b.name}
                    </a>
                  ) : (
                    <span>{b.name}</span>
                  )}
                </td>
                <td className="num tnum muted">{b.port ?? NONE}</td>
                <td className="num tnum" data-testid="backend-weight">
                  {b.weight}
                </td>
                <td className="num tnum traffic-share" data-testid="backend-share">
                  {sharePercents(names, current)[i]}%
                </td>
                <td className="num tnum">
                  {rateKnown && m?.requestRate != null ? `${formatCompact(m.requestRate)}/s` : NONE}
                </td>
                <td className={`num tnum ${rateKnown && m && errSev !== 'ok' ? `sev-${errSev}` : ''}`}>
                  {rateKnown && m ? formatPercent(m.errorRatio) : NONE}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>

      <div className="traffic-presets" role="group" aria-label="Presets">
        <span className="traffic-label">Presets</span>
        {presets.map((p) => {
          const same = sameWeights(names, p.weights, current);
          return (
            <button
              key={p.id}
              type="button"
              className="btn"
              disabled={busy || same}
              title={
                same
                  ? 'This is the split now'
                  : `${p.title}. Opens a review; nothing is written before you confirm.`
              }
              onClick={() => onChange(route, rule, p.weights)}
              data-testid={`preset-${p.id}`}
            >
              {p.label}
            </button>
          );
        })}
        {!previous && (
          <span className="muted traffic-small" title="Restore appears after a change made from this console">
            No earlier split to restore.
          </span>
        )}
      </div>

      <form
        className="traffic-editor"
        aria-label="Free split"
        onSubmit={(e) => {
          e.preventDefault();
          if (!problem && !unchanged) onChange(route, rule, parsed);
        }}
      >
        <span className="traffic-label">Free split</span>
        {backends.map((b, i) => (
          <label key={`${b.name}-${i}`} className="traffic-weight">
            <span className="traffic-weight-name">
              <span className={`traffic-swatch traffic-c${i % 6}`} aria-hidden="true" />
              {b.name}
            </span>
            <input
              className={`input tnum traffic-weight-input${Number.isNaN(parsed[b.name]) ? ' input-invalid' : ''}`}
              inputMode="numeric"
              value={draft[b.name] ?? ''}
              onChange={(e) => setDraft({ ...draft, [b.name]: e.target.value })}
              aria-label={`Weight of ${b.name}`}
              data-testid={`weight-${b.name}`}
            />
            <span className="muted tnum traffic-weight-share">
              {draftShares ? `${draftShares[i]}%` : NONE}
            </span>
          </label>
        ))}
        <span className="traffic-editor-actions">
          <button
            type="button"
            className="btn btn-ghost"
            onClick={() => setDraft(Object.fromEntries(backends.map((b) => [b.name, String(b.weight)])))}
            disabled={unchanged}
          >
            Reset
          </button>
          <button
            type="submit"
            className="btn"
            disabled={busy || problem !== null || unchanged}
            title={
              problem
                ? problem.message
                : unchanged
                  ? 'Same as the split now'
                  : 'Opens a review; nothing is written before you confirm'
            }
            data-testid="review-split"
          >
            Review change…
          </button>
        </span>
        {problem && (
          <div className="traffic-problem" role="alert" data-testid="split-problem">
            <Icon name="alert" />
            <span>
              <strong>{problem.message}</strong> <span className="muted">{problem.hint}</span>
            </span>
          </div>
        )}
        {route.kind === 'HTTPRoute' && !problem && (
          <div className="muted traffic-small traffic-editor-note">
            Gateway API weights are relative: each backend gets weight ÷ sum of the rule's traffic.
          </div>
        )}
        {route.kind === 'KnativeService' && !problem && (
          <div className="muted traffic-small traffic-editor-note">
            Knative percents per revision, summing to 100; @latest follows the latest ready revision.
          </div>
        )}
      </form>
    </div>
  );
}

/** The split as a horizontal stacked bar: plain elements, widths from the shares, names as text. */
function SplitBar({ names, weights }: { names: string[]; weights: Weights }) {
  const shares = sharePercents(names, weights);
  const label = names.map((n, i) => `${n} ${shares[i]}%`).join(', ');
  const none = shares.every((s) => s === 0);
  return (
    <div
      className="traffic-bar"
      role="img"
      aria-label={`Traffic split: ${label}`}
      data-testid="split-bar"
      title={label}
    >
      {none && <div className="traffic-bar-none">No backend gets traffic</div>}
      {names.map((n, i) =>
        (shares[i] ?? 0) > 0 ? (
          <div
            key={`${n}-${i}`}
            className={`traffic-seg traffic-c${i % 6}`}
            style={{ width: `${shares[i]}%` }}
            data-testid="split-segment"
            data-backend={n}
            data-share={shares[i]}
          >
            {(shares[i] ?? 0) >= 12 ? (
              <span className="traffic-seg-label">
                {n} <strong>{shares[i]}%</strong>
              </span>
            ) : (
              (shares[i] ?? 0) >= 5 && (
                <span className="traffic-seg-label">
                  <strong>{shares[i]}%</strong>
                </span>
              )
            )}
          </div>
        ) : null,
      )}
    </div>
  );
}

function RouteHistory({
  route,
  history,
  error,
}: {
  route: RouteView;
  history: AuditEntry[] | undefined;
  error?: string;
}) {
  const names = route.rules[0]?.map((b) => b.name) ?? [];
  return (
    <aside className="traffic-history" aria-label={`Changes of ${route.name}`} data-testid="route-history">
      <div className="traffic-history-title">
        Changes from this console{' '}
        {history && history.length > 0 && <span className="muted tnum">({history.length})</span>}
      </div>
      {error && <div className="sev-critical traffic-small">Could not read the audit log: {error}</div>}
      {!history && !error && <div className="loading-line">Reading the audit log…</div>}
      {history && history.length === 0 && (
        <p className="muted traffic-small">None yet. Every change made here is recorded in the audit log.</p>
      )}
      {history && history.length > 0 && (
        <ol className="traffic-changes">
          {history.slice(0, 12).map((e) => {
            const rule =
              typeof (e.details.request as { rule?: unknown } | undefined)?.rule === 'number'
                ? (e.details.request as { rule: number }).rule
                : 0;
            const ruleNames = route.rules[rule]?.map((b) => b.name) ?? names;
            return (
              <li key={e.seq} className="traffic-change" data-testid="route-change">
                <div className="traffic-change-head">
                  <span className="tnum muted">#{e.seq}</span>
                  <span className="tnum">{formatTimestamp(e.at)}</span>
                  <span
                    className={`traffic-result traffic-result-${e.result === 'done' ? 'ok' : e.result === 'noop' ? 'muted' : 'warn'}`}
                  >
                    {e.result}
                  </span>
                </div>
                <ChangeWhat entry={e} kind={route.kind} names={ruleNames} />
                <div className="muted traffic-small ellipsis" title={e.actor}>
                  by {e.actor}
                  {route.rules.length > 1 ? ` · rule ${rule + 1}` : ''}
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </aside>
  );
}

/** One line per backend: `llama-70b-chat  100% → 0%`. */
function ChangeWhat({ entry, kind, names }: { entry: AuditEntry; kind: RouteView['kind']; names: string[] }) {
  const rows = changeShares(entry, kind, names);
  if (!rows) return <div className="mono traffic-change-what">{describeChange(entry, kind, names)}</div>;
  return (
    <table className="traffic-change-what" aria-label={describeChange(entry, kind, names)}>
      <tbody>
        {rows.map((r) => (
          <tr key={r.name}>
            <td className="ellipsis" title={r.name}>
              {r.name}
            </td>
            <td className="num tnum muted">{r.before !== null ? `${r.before}%` : ''}</td>
            <td className="traffic-change-arrow" aria-hidden="true">
              {r.before !== null ? '→' : ''}
            </td>
            <td
              className={`num tnum${r.before !== null && r.after !== r.before ? ' traffic-change-moved' : ''}`}
            >
              {r.after}%
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
