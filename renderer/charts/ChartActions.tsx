/** The buttons every metrics chart carries: show the PromQL behind it, and export it as PNG. */
export function ChartActions({
  showQuery,
  onToggleQuery,
  onPng,
  disabled,
}: {
  showQuery: boolean;
  onToggleQuery: () => void;
  onPng: () => void;
  disabled: boolean;
}) {
  return (
    <>
      <button
        type="button"
        className="chart-btn"
        aria-pressed={showQuery}
        onClick={onToggleQuery}
        data-testid="show-promql"
      >
        {showQuery ? 'Hide PromQL' : 'Show PromQL'}
      </button>
      <button
        type="button"
        className="chart-btn"
        onClick={onPng}
        disabled={disabled}
        data-testid="export-png"
      >
        PNG
      </button>
    </>
  );
}
