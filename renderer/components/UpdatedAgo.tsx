import { formatAgo } from '../format';
import { useNow } from './useNow';

/** "updated 12 s ago" in a toolbar, kept current; nothing before the first answer. */
export function UpdatedAgo({ at }: { at: number | undefined }) {
  const now = useNow(5000);
  if (at === undefined) return null;
  return <span className="muted">updated {formatAgo(at, now)}</span>;
}
