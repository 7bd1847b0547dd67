import { useState } from 'react';
import type { RouteView } from '../../../shared/traffic';
import { NOW_LABEL } from '../../../shared/health';
import type { ModelService } from '../../../shared/models';
import { Icon } from '../../components/Icon';
import { Table, type Column } from '../../components/Table';
import { errorRatioSeverity, formatCompact, formatPercent, NONE } from '../../format';
import { useModels } from '../../state';
import { useActions } from '../../state/actions';
import { detailHash } from '../../state/modelDetail';
import {
  parseWeight,
  presetsFor,
  ruleWeights,
  sameWeights,
  sharePercents,
  validateSplit,
  type Weights,
} from '../../state/traffic';
import { Form } from '../../components/Form';
import { routeErrorRatio } from '../../state/routeHealth';

const rateTitle = `The model service of the same name, ${NOW_LABEL} (the figures Models shows)`;
const backendColumns: Column[] = [
  { label: 'Backend', col: 'traffic-col-name' },
  { label: 'Port', num: true, col: 'traffic-col-port' },
  { label: 'Weight', num: true, col: 'traffic-col-weight' },
  { label: 'Share', num: true, col: 'traffic-col-share' },
  { label: 'Requests/s', num: true, title: rateTitle, col: 'traffic-col-rate' },
  { label: 'Error ratio', num: true, title: rateTitle, col: 'traffic-col-err' },
];

/** What users of the rule see: the error ratio through it, weighted by the backends' shares. */
function UserErrors({
  names,
  weights,
  model,
  rateKnown,
}: {
  names: string[];
  weights: Weights;
  model: (name: string) => ModelService | undefined;
  rateKnown: boolean;
}) {
  const { ratio, unknown } = routeErrorRatio(names, weights, model);
  const sev = rateKnown ? errorRatioSeverity(ratio) : 'none';
  return (
    <div className="traffic-user-errors muted" data-testid="route-error-ratio">
      Users see{' '}
      <strong className={`tnum${sev !== 'ok' && sev !== 'none' ? ` sev-${sev}` : ''}`}>
        {rateKnown && ratio !== null ? formatPercent(ratio) : NONE}
      </strong>{' '}
      errors through this rule ({NOW_LABEL}):{' '}
      {rateKnown && unknown.length
        ? `not known for ${unknown.join(', ')}`
        : 'each backend’s error ratio × its share, summed over the backends that get traffic'}
    </div>
  );
}

/** One rule's backends and weights, with presets (all to fallback, split, restore) and a form for any split. */
export function RuleSplit({
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
      <UserErrors names={names} weights={current} model={model} rateKnown={rateKnown} />
      <Table className="traffic-backends" testId="backends-table" columns={backendColumns}>
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
                {m?.drained && (
                  <span
                    className="pill pill-warning drained-chip"
                    data-testid="drained-marker"
                    title={`No traffic through this route; ${m.drained.fallbacks.join(', ')} carries it`}
                  >
                    drained, fallback active
                  </span>
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
      </Table>

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

      <Form
        className="traffic-editor"
        label="Free split"
        onSubmit={() => {
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
      </Form>
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
