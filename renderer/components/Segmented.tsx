/** A row of toggle buttons with one pressed (time window, threshold, tab). */
export function Segmented<T extends number | string>({
  label,
  options,
  value,
  onChange,
  testId,
}: {
  label: string;
  options: Array<{ label: string; value: T }>;
  value: T;
  onChange: (v: T) => void;
  testId?: string;
}) {
  return (
    <div className="seg" role="group" aria-label={label} data-testid={testId}>
      <span className="seg-label">{label}</span>
      {options.map((o) => (
        <button
          key={String(o.value)}
          type="button"
          className={`seg-btn${o.value === value ? ' seg-on' : ''}`}
          aria-pressed={o.value === value}
          onClick={() => onChange(o.value)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
