import { useEffect, useMemo } from 'react';
import { Segmented } from '../../components/Segmented';
import { useNow } from '../../components/useNow';
import { costStore, monthChoices, useCost, type CostTab } from '../../state/cost';
import { monthLabel } from './costFormat';
import { RefreshConfirm } from './RefreshConfirm';
import { ReviewTab } from './Review';
import { ReviewActions } from './ReviewActions';
import { CostSources } from './sources/CostSources';
import '../../components/metrics.css';
import './cost.css';

const actions = () => costStore.getState();

export function CostView() {
  const tab = useCost((s) => s.tab);
  const month = useCost((s) => s.month);
  const review = useCost((s) => s.review);
  const now = useNow(30_000);
  const months = useMemo(() => monthChoices(now), [now]);

  useEffect(() => {
    if (tab === 'review' && review.status === 'idle') void actions().loadReview();
  }, [tab, review.status]);
  useEffect(() => {
    void actions().loadSources();
  }, []);

  return (
    <div className="view view-scroll metrics-view cost-view" data-testid="cost-view">
      <div className="toolbar">
        <label className="cost-month">
          <span className="seg-label">Month</span>
          <select
            className="input"
            value={month}
            onChange={(e) => actions().setMonth(e.target.value)}
            data-testid="cost-month"
            aria-label="Month to review"
          >
            {months.map((m) => (
              <option key={m} value={m}>
                {monthLabel(m)}
              </option>
            ))}
          </select>
        </label>
        <Segmented<CostTab>
          label="Show"
          options={[
            { label: 'Review', value: 'review' },
            { label: 'Sources', value: 'sources' },
          ]}
          value={tab}
          onChange={(t) => actions().setTab(t)}
          testId="cost-tab"
        />
        <span className="toolbar-spacer" />
        {tab === 'review' && <ReviewActions />}
      </div>
      <RefreshConfirm />
      {tab === 'review' ? <ReviewTab /> : <CostSources />}
    </div>
  );
}
