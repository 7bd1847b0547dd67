import type { ReactNode } from 'react';

/** A titled card of a view (a table, a list); `empty` says why there is nothing to show instead. */
export function PanelCard({
  title,
  testId,
  empty,
  children,
}: {
  title: ReactNode;
  testId?: string;
  empty?: string | false;
  children?: ReactNode;
}) {
  return (
    <section className="panel-card" data-testid={testId}>
      <h3 className="section-title">{title}</h3>
      {empty ? <p className="muted">{empty}</p> : children}
    </section>
  );
}
