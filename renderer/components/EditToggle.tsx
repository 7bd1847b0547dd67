/** A button that opens an inline form and, while it is open, reads "Cancel" and closes it. */
export function EditToggle({
  open,
  onToggle,
  label,
  testId,
}: {
  open: boolean;
  onToggle: () => void;
  label: string;
  testId?: string;
}) {
  return (
    <button type="button" className="btn btn-ghost" onClick={onToggle} data-testid={testId}>
      {open ? 'Cancel' : label}
    </button>
  );
}
