import type { ReactNode } from 'react';

/** A form row: the label, the control, its error (announced) and its help, in the settings forms' grid. */
export function Field({
  label,
  htmlFor,
  help,
  error,
  children,
}: {
  label: string;
  htmlFor: string;
  help?: ReactNode;
  error?: string;
  children: ReactNode;
}) {
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label className="field-label" htmlFor={htmlFor}>
        {label}
      </label>
      <div className="field-control">
        {children}
        {error && (
          <div className="field-error" id={`${htmlFor}-error`} role="alert">
            {error}
          </div>
        )}
        {help && <div className="field-help">{help}</div>}
      </div>
    </div>
  );
}
