/** A figure in a stat row ("Idle GPUs 3"): a label over a value, tinted when it needs attention. */
export function Stat({
  label,
  value,
  tone,
  title,
  testId,
}: {
  label: string;
  value: string;
  tone?: 'warning' | 'critical' | 'ok';
  title?: string;
  testId?: string;
}) {
  return (
    <div className={`stat${tone ? ` stat-${tone}` : ''}`} title={title} data-testid={testId}>
      <div className="stat-label">{label}</div>
      <div className="stat-value tnum">{value}</div>
    </div>
  );
}
