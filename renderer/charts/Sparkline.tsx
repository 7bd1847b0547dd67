import { sparkPaths } from './format';

/** A tiny line (SVG, numbers only: no text from data) for the model tiles. */
export function Sparkline({
  values,
  tone = 'accent',
  max,
  label,
}: {
  values: ReadonlyArray<number | null>;
  tone?: 'accent' | 'critical' | 'warning' | 'muted';
  max?: number;
  label: string;
}) {
  const w = 96;
  const h = 22;
  const paths = sparkPaths(values, w, h, max);
  return (
    <svg
      className={`spark spark-${tone}`}
      width={w}
      height={h}
      viewBox={`0 0 ${w} ${h}`}
      role="img"
      aria-label={label}
    >
      {paths.length === 0 ? (
        <line x1="0" y1={h - 1} x2={w} y2={h - 1} className="spark-none" />
      ) : (
        paths.map((d, i) => <path key={i} d={d} />)
      )}
    </svg>
  );
}
