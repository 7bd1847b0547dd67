import { useState } from 'react';
import type { ObjectChange } from '../../../shared/incident';
import { parseServiceId } from '../../../shared/models';
import { formatTimestamp } from '../../format';

/** A model service's name as people say it (`llama-70b-chat`), from the war room's tiles or its id. */
export function modelName(names: ReadonlyMap<string, string>, id: string): string {
  return names.get(id) ?? (parseServiceId(id).name || id);
}

const SHOWN = 8;

/** Ranked changes, each with its field-level before → after (env values never come, so none are shown). */
export function ChangeList({
  changes,
  testId,
  names,
  onDiff,
  empty,
}: {
  changes: readonly ObjectChange[];
  testId: string;
  names: ReadonlyMap<string, string>;
  onDiff?: (c: ObjectChange) => void;
  empty: string;
}) {
  const [all, setAll] = useState(false);
  const shown = all ? changes : changes.slice(0, SHOWN);
  if (changes.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ol className="inc-changes" data-testid={testId}>
      {shown.map((c, i) => (
        <li key={`${c.object}-${i}`} className="inc-change" data-testid="change" data-object={c.object}>
          <div className="inc-change-head">
            <span className="inc-change-rank tnum muted">{i + 1}</span>
            <span className="inc-change-object mono ellipsis" title={c.object}>
              {c.object}
            </span>
            {c.kinds.map((k) => (
              <span key={k} className={`pill inc-kind inc-kind-${k}`}>
                {k}
              </span>
            ))}
            {c.model && <span className="muted ellipsis">{modelName(names, c.model)}</span>}
            <span className="toolbar-spacer" />
            {c.at && <span className="muted tnum">{formatTimestamp(c.at)}</span>}
            {onDiff && c.diff && (
              <button type="button" className="link-btn" onClick={() => onDiff(c)}>
                diff
              </button>
            )}
          </div>
          <table className="inc-fields">
            <tbody>
              {c.fields.map((f) => (
                <tr key={f.path} data-testid="field-change" data-path={f.path}>
                  <th scope="row" className="mono" title={f.path}>
                    {f.path}
                  </th>
                  <td className="mono inc-before">{f.before ?? '(none)'}</td>
                  <td className="inc-arrow" aria-hidden="true">
                    →
                  </td>
                  <td className="mono inc-after">{f.after ?? '(none)'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </li>
      ))}
      {changes.length > SHOWN && (
        <li className="inc-more">
          <button type="button" className="link-btn" onClick={() => setAll((v) => !v)}>
            {all ? 'Show fewer' : `Show all ${changes.length}`}
          </button>
        </li>
      )}
    </ol>
  );
}
