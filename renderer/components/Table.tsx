import type { ReactNode } from 'react';
import { TableSkeleton } from './Skeleton';
import { useRowNav } from './rowNav';

/** One column of a Table: its header, and (for tables with fixed widths) the class of its <col>. */
export interface Column {
  label?: ReactNode;
  /** a number column: the header is right-aligned like its cells (the cells set their own class) */
  num?: boolean;
  title?: string;
  /** the <col> class; a table gets a <colgroup> as soon as one column names one ('' for a plain <col />) */
  col?: string;
  /** a whole header cell of its own (a sortable header), instead of label/num/title */
  header?: ReactNode;
}

/**
 * The data grid every view uses (`<table className="grid">`): a colgroup when the widths are fixed, one
 * header row, and the rows the view renders. While the first load is under way (`skeletonRows`), placeholder
 * rows stand in for the body and the table says it is busy. The rows take the keyboard: arrows move, Enter opens.
 */
export function Table({
  columns,
  className,
  testId,
  skeletonRows,
  children,
}: {
  columns: Column[];
  className?: string;
  testId?: string;
  skeletonRows?: number;
  children?: ReactNode;
}) {
  const widths = columns.some((c) => c.col !== undefined);
  const rowNav = useRowNav();
  return (
    <table
      className={className ? `grid ${className}` : 'grid'}
      data-testid={testId}
      aria-busy={skeletonRows ? true : undefined}
    >
      {widths && (
        <colgroup>
          {columns.map((c, i) => (
            <col key={i} className={c.col || undefined} />
          ))}
        </colgroup>
      )}
      <thead>
        <tr>
          {columns.map(
            (c, i) =>
              c.header ?? (
                <th key={i} scope="col" className={c.num ? 'num' : undefined} title={c.title}>
                  {c.label}
                </th>
              ),
          )}
        </tr>
      </thead>
      {skeletonRows ? (
        <TableSkeleton columns={columns.length} rows={skeletonRows} />
      ) : (
        <tbody {...rowNav}>{children}</tbody>
      )}
    </table>
  );
}
