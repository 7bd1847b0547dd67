import { clearlyGreater } from '../../components/stableOrder';
import { sortValue, type ModelSort, type ModelSortKey } from '../../format';
import type { ModelService } from '../../../shared/models';

/** Below these a change is a refresh's noise, not a reason to move a row (relative, absolute). */
const NEARLY_EQUAL: Partial<Record<ModelSortKey, [number, number]>> = {
  // 0.2 percentage points, or 5 % of the larger ratio
  errorRatio: [0.05, 0.002],
  requestRate: [0.05, 0.05],
};

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Whether model `a` belongs above `b` in `sort`'s order by more than noise (for holdStill). */
export function modelClearlyBefore(sort: ModelSort): (a: ModelService, b: ModelService) => boolean {
  const [relative, absolute] = NEARLY_EQUAL[sort.key] ?? [0, 0];
  const desc = sort.dir === 'desc';
  return (a, b) => {
    const va = sortValue(a, sort.key);
    const vb = sortValue(b, sort.key);
    const aNone = va === null || (typeof va === 'number' && Number.isNaN(va));
    const bNone = vb === null || (typeof vb === 'number' && Number.isNaN(vb));
    // unknown values (no metrics) go last
    if (aNone || bNone) return !aNone && bNone;
    if (typeof va === 'number' && typeof vb === 'number')
      return desc ? clearlyGreater(va, vb, relative, absolute) : clearlyGreater(vb, va, relative, absolute);
    const c = collator.compare(String(va), String(vb));
    return desc ? c > 0 : c < 0;
  };
}
