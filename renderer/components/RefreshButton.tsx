import { Icon } from './Icon';

/** "Refresh" in a toolbar: disabled, its icon turning, while the load it starts is under way. */
export function RefreshButton({
  loading,
  onClick,
  title,
  testId,
  children = 'Refresh',
}: {
  loading: boolean;
  onClick: () => void;
  title?: string;
  testId?: string;
  children?: string;
}) {
  return (
    <button
      type="button"
      className="btn btn-ghost"
      onClick={onClick}
      disabled={loading}
      title={title}
      data-testid={testId}
    >
      <Icon name="refresh" className={loading ? 'spin' : undefined} />
      {children}
    </button>
  );
}
