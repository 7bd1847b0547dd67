import { Icon } from './Icon';

/**
 * A list's filter field: `/` focuses it (the keyboard layer looks for `data-list-filter`), Escape clears it
 * and gives the keyboard back to the page.
 */
export function FilterInput({
  value,
  onChange,
  placeholder,
  label,
  testId,
}: {
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
  /** what it filters, for a screen reader: "Filter alerts by name or label" */
  label: string;
  testId?: string;
}) {
  return (
    <label className="filter">
      <Icon name="search" />
      <input
        type="search"
        data-list-filter=""
        placeholder={placeholder}
        aria-label={label}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            onChange('');
            e.currentTarget.blur();
          }
        }}
        spellCheck={false}
        autoComplete="off"
        data-testid={testId}
      />
      <kbd className="kbd-hint">/</kbd>
    </label>
  );
}
