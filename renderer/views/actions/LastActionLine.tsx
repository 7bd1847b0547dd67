import type { WorkloadRef } from '../../../shared/models';
import { Icon } from '../../components/Icon';
import { Ticks } from '../../components/Ticks';
import { useNow } from '../../components/useNow';
import { formatAgo } from '../../format';
import { outcomeTitle, outcomeTone, requestWorkload, useActions } from '../../state/actions';
import { workloadId } from '../../state/modelDetail';

/** The outcome of the last action on this target, kept after its dialog closed. */
export function LastActionLine({ target }: { target: WorkloadRef }) {
  const last = useActions((s) => s.last);
  const background = useActions((s) => s.background);
  const now = useNow(5000);
  if (background) {
    return (
      <div className="md-last" role="status" data-testid="md-last-action">
        <Icon name="refresh" className="spin" /> Written; watching in the background until it takes effect…
      </div>
    );
  }
  const w = last && requestWorkload(last.request);
  if (!last || !w || workloadId(w) !== workloadId(target)) return null;
  const tone = last.outcome ? outcomeTone(last.outcome.status) : 'critical';
  return (
    <div className={`md-last md-last-${tone}`} role="status" data-testid="md-last-action">
      <span className={`dot dot-${tone}`} aria-hidden="true" />
      <span className="md-last-what">{last.summary}</span>
      <span className="md-last-result">
        {last.outcome ? `${outcomeTitle(last.outcome.status)}: ` : 'Failed: '}
        <Ticks text={last.outcome?.message ?? last.error?.message ?? ''} />
      </span>
      <span className="muted">{formatAgo(last.at, now)}</span>
    </div>
  );
}
