/** Placeholder rows while the first load is under way (no spinner on an empty screen). */
export function TableSkeleton({ rows = 6, columns }: { rows?: number; columns: number }) {
  return (
    <tbody className="skeleton" aria-hidden="true">
      {Array.from({ length: rows }, (_, r) => (
        <tr key={r}>
          {Array.from({ length: columns }, (_, c) => (
            <td key={c}>
              <span className={`skeleton-bar w${(r * 3 + c) % 8}`} />
            </td>
          ))}
        </tr>
      ))}
    </tbody>
  );
}
