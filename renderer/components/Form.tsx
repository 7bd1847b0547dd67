import type { ReactNode } from 'react';

/** A form that never reloads the page: Enter or the submit button calls `onSubmit`, nothing else. */
export function Form({
  onSubmit,
  className,
  testId,
  noValidate,
  label,
  children,
}: {
  onSubmit: () => void;
  className?: string;
  testId?: string;
  noValidate?: boolean;
  /** aria-label, for a form with no heading of its own */
  label?: string;
  children: ReactNode;
}) {
  return (
    <form
      className={className}
      noValidate={noValidate}
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
      data-testid={testId}
    >
      {children}
    </form>
  );
}
