/** A handful of line icons, drawn here (no icon font, no HTML strings). 16x16, stroke = currentColor. */
export type IconName =
  | 'models'
  | 'audit'
  | 'settings'
  | 'info'
  | 'alert'
  | 'check'
  | 'refresh'
  | 'search'
  | 'cluster'
  | 'browser'
  | 'desktop'
  | 'lock'
  | 'sort-asc'
  | 'sort-desc'
  | 'sort-none'
  | 'pulse'
  | 'gpu'
  | 'bell'
  | 'split'
  | 'coin'
  | 'copy';

const paths: Record<IconName, string[]> = {
  models: ['M8 1.8 14 5 8 8.2 2 5Z', 'M2 8l6 3.2L14 8', 'M2 11l6 3.2 6-3.2'],
  audit: ['M3.5 1.8h9v12.4h-9Z', 'M6 5h4.5', 'M6 8h4.5', 'M6 11h2.5'],
  settings: [
    'M2 4h7',
    'M12 4h2',
    'M2 12h2',
    'M7 12h7',
    'M2 8h3',
    'M8 8h6',
    'M10.5 2.5v3',
    'M5.5 10.5v3',
    'M6.5 6.5v3',
  ],
  info: ['M8 14.2A6.2 6.2 0 1 0 8 1.8a6.2 6.2 0 0 0 0 12.4Z', 'M8 7.2v4', 'M8 4.8v.1'],
  alert: ['M8 1.9 14.6 13.6H1.4Z', 'M8 6.2v3.6', 'M8 11.6v.1'],
  check: ['M3 8.4l3.2 3.2L13 4.8'],
  copy: ['M5.5 5.5h8v8h-8Z', 'M10.5 5.5v-3h-8v8h3'],
  refresh: ['M13.5 8A5.5 5.5 0 1 1 11.9 4.1', 'M13.6 1.9v3.4h-3.4'],
  search: ['M7 12.2A5.2 5.2 0 1 0 7 1.8a5.2 5.2 0 0 0 0 10.4Z', 'M10.8 10.8 14.2 14.2'],
  cluster: ['M8 1.6 13.6 4.8v6.4L8 14.4 2.4 11.2V4.8Z', 'M8 8 13.6 4.8', 'M8 8 2.4 4.8', 'M8 8v6.4'],
  browser: ['M1.8 3h12.4v10H1.8Z', 'M1.8 6h12.4', 'M4 4.5h.1', 'M6 4.5h.1'],
  desktop: ['M1.8 2.5h12.4v8.5H1.8Z', 'M5.5 14h5', 'M8 11v3'],
  lock: ['M3.5 7h9v7h-9Z', 'M5.5 7V5a2.5 2.5 0 0 1 5 0v2'],
  'sort-asc': ['M8 13V3.5', 'M4.5 7 8 3.5 11.5 7'],
  'sort-desc': ['M8 3v9.5', 'M4.5 9 8 12.5 11.5 9'],
  'sort-none': ['M5.5 6 8 3.5 10.5 6', 'M5.5 10 8 12.5 10.5 10'],
  pulse: ['M1.5 8.5h3l1.6-4 2.8 8 1.8-5h3.8'],
  gpu: [
    'M2.5 4h11v8h-11Z',
    'M5 6.5h3v3H5Z',
    'M10 6.5h1.5',
    'M10 9.5h1.5',
    'M4.5 12v2',
    'M7 12v2',
    'M9.5 12v2',
    'M1 6h1.5',
    'M1 10h1.5',
  ],
  bell: ['M4 11.5V7a4 4 0 0 1 8 0v4.5l1.3 1.2H2.7Z', 'M6.6 14a1.5 1.5 0 0 0 2.8 0'],
  split: [
    'M1.5 8H6',
    'M6 8c2 0 3-4 5.5-4H14',
    'M6 8c2 0 3 4 5.5 4H14',
    'M12.3 2.3 14 4l-1.7 1.7',
    'M12.3 10.3 14 12l-1.7 1.7',
  ],
  coin: [
    'M8 14.2A6.2 6.2 0 1 0 8 1.8a6.2 6.2 0 0 0 0 12.4Z',
    'M10 5.6H7.2a1.2 1.2 0 0 0 0 2.4h1.6a1.2 1.2 0 0 1 0 2.4H6',
    'M8 4.4v1.2',
    'M8 10.4v1.2',
  ],
};

const filled = new Set<IconName>([]);

export function Icon({ name, className, title }: { name: IconName; className?: string; title?: string }) {
  const isFilled = filled.has(name);
  return (
    <svg
      className={`icon${className ? ` ${className}` : ''}`}
      viewBox="0 0 16 16"
      width="16"
      height="16"
      aria-hidden={title ? undefined : true}
      role={title ? 'img' : undefined}
      fill={isFilled ? 'currentColor' : 'none'}
      stroke={isFilled ? 'none' : 'currentColor'}
      strokeWidth="1.4"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      {title && <title>{title}</title>}
      {paths[name].map((d) => (
        <path key={d} d={d} />
      ))}
    </svg>
  );
}

/** The Firebreak mark: a cleared strip through a block of forest. */
export function BrandMark() {
  return (
    <svg className="brand-mark" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true">
      <path d="M2 4.5 9 2v16l-7-2.5Z" fill="#e8793a" />
      <path d="M11 2l7 2.5v11L11 18Z" fill="#f0a04b" />
    </svg>
  );
}
