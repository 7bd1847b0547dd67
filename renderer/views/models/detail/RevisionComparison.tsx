import { useMemo } from 'react';
import type { RevisionSummary } from '../../../../shared/models';
import { NONE } from '../../../format';
import { argsChange, modelDetailStore, revisionDiffRows, type DiffRow } from '../../../state/modelDetail';

/** What changed between two revisions: images, args, env var names (never values) and resources. */
export function RevisionComparison({
  revisions,
  compare,
}: {
  revisions: RevisionSummary[];
  compare: { from: number; to: number };
}) {
  const from = revisions.find((r) => r.revision === compare.from);
  const to = revisions.find((r) => r.revision === compare.to);
  const rows = useMemo(() => (from && to ? revisionDiffRows(from, to) : []), [from, to]);
  if (!from || !to) return null;
  const set = (next: { from: number; to: number }) => modelDetailStore.getState().setCompare(next);
  return (
    <div className="md-compare panel" data-testid="revision-diff">
      <div className="md-compare-head">
        <h3>What changed</h3>
        <RevisionPick
          end="from"
          revisions={revisions}
          value={compare.from}
          onPick={(from) => set({ from, to: compare.to })}
        />
        <RevisionPick
          end="to"
          revisions={revisions}
          value={compare.to}
          onPick={(to) => set({ from: compare.from, to })}
        />
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => set({ from: compare.to, to: compare.from })}
          title="Swap the two revisions"
        >
          ⇄ Swap
        </button>
        <span className="toolbar-spacer" />
        <span className="muted md-small">Env vars: names only, values are never shown.</span>
      </div>
      {from.revision === to.revision ? (
        <p className="muted md-compare-empty">Pick two different revisions.</p>
      ) : rows.length === 0 ? (
        <p className="muted md-compare-empty" data-testid="diff-empty">
          Revisions {from.revision} and {to.revision} run the same images, args, env var names and resources.
        </p>
      ) : (
        <table className="md-diff" data-testid="diff-table">
          <thead>
            <tr>
              <th scope="col">Container</th>
              <th scope="col">Field</th>
              <th scope="col">Revision {from.revision}</th>
              <th scope="col" aria-hidden="true" />
              <th scope="col">Revision {to.revision}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <DiffRowView
                key={`${row.container ?? ''}|${row.label}|${row.from ?? ''}|${row.to ?? ''}|${i}`}
                row={row}
              />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

const revisionLabel = (r: RevisionSummary) => `Revision ${r.revision}${r.current ? ' (current)' : ''}`;

/** One end of the comparison: "from" or "to", any revision of the history. */
function RevisionPick({
  end,
  revisions,
  value,
  onPick,
}: {
  end: 'from' | 'to';
  revisions: RevisionSummary[];
  value: number;
  onPick: (revision: number) => void;
}) {
  return (
    <label className="md-pick">
      <span className="muted">{end}</span>
      <select
        className="input md-select"
        value={value}
        onChange={(e) => onPick(Number(e.target.value))}
        data-testid={`diff-${end}`}
        aria-label={`Compare ${end} revision`}
      >
        {revisions.map((r) => (
          <option key={r.revision} value={r.revision}>
            {revisionLabel(r)}
          </option>
        ))}
      </select>
    </label>
  );
}

function DiffRowView({ row }: { row: DiffRow }) {
  if (row.group === 'args') {
    const { removed, added } = argsChange(row.from, row.to);
    const reordered = removed.length === 0 && added.length === 0;
    return (
      <tr data-testid="diff-row" data-field="args">
        <td className="mono muted">{row.container ?? NONE}</td>
        <td>{reordered ? 'args (order changed)' : 'args'}</td>
        <td className="mono md-diff-from">
          {reordered ? (
            row.from
          ) : removed.length ? (
            removed.map((a) => <div key={a}>− {a}</div>)
          ) : (
            <span className="md-diff-none">{NONE}</span>
          )}
        </td>
        <td className="md-diff-arrow" aria-hidden="true">
          →
        </td>
        <td className="mono md-diff-to">
          {reordered ? (
            row.to
          ) : added.length ? (
            added.map((a) => <div key={a}>+ {a}</div>)
          ) : (
            <span className="md-diff-none">{NONE}</span>
          )}
        </td>
      </tr>
    );
  }
  return (
    <tr data-testid="diff-row" data-field={row.group}>
      <td className="mono muted">{row.container ?? NONE}</td>
      <td className={row.group === 'resources' || row.group === 'gpus' ? 'mono' : undefined}>{row.label}</td>
      <td className={`mono ${row.from === null ? 'md-diff-none' : 'md-diff-from'}`}>
        {row.from ?? '(none)'}
      </td>
      <td className="md-diff-arrow" aria-hidden="true">
        →
      </td>
      <td className={`mono ${row.to === null ? 'md-diff-none' : 'md-diff-to'}`}>{row.to ?? '(none)'}</td>
    </tr>
  );
}
