import { useState } from 'react';
import type { ExportResult } from '../../../shared/cost';
import { Banner } from '../../components/Banner';
import { downloadFile } from '../../components/download';
import { Icon } from '../../components/Icon';
import { useApp } from '../../state';
import { costStore, exportFailed, useCost } from '../../state/cost';
import { chartImages } from './ChartCard';

const actions = () => costStore.getState();

/** The review's toolbar: the paid refresh (confirmed first), recompute, and the exports. */
export function ReviewActions() {
  const review = useCost((s) => s.review);
  const settings = useCost((s) => s.settings.data);
  const plan = useCost((s) => s.plan);
  const exporting = useCost((s) => s.exporting);
  const transportKind = useApp((s) => s.transportKind);
  const awsOn = settings?.aws.enabled ?? false;

  const doExport = async (format: 'csv' | 'markdown') => {
    let charts: ReturnType<typeof chartImages> = [];
    if (format === 'markdown') {
      try {
        charts = chartImages();
      } catch (err) {
        exportFailed(costStore, {
          code: 'INTERNAL',
          message: `A chart could not be drawn as an image: ${err instanceof Error ? err.message : String(err)}`,
          hint: 'Export again; if it persists, report it.',
        });
        return;
      }
    }
    const result = await actions().exportReview(format, charts);
    if (result && transportKind !== 'electron') saveDownload(result.download);
  };

  return (
    <>
      <button
        type="button"
        className="btn"
        onClick={() => void actions().openRefresh()}
        disabled={!awsOn || plan.open}
        title={
          awsOn
            ? 'Fetch this month and the last from AWS Cost Explorer (paid requests; you confirm first)'
            : 'Turn on Cost Explorer under Sources'
        }
        data-testid="cost-refresh"
      >
        <Icon name="refresh" />
        Refresh from Cost Explorer…
      </button>
      <button
        type="button"
        className="btn btn-ghost"
        onClick={() => void actions().loadReview()}
        disabled={review.status === 'loading'}
        title="Recompute the review from the cached answers, the FOCUS imports and Prometheus (no paid request)"
        data-testid="cost-reload"
      >
        <Icon name="refresh" className={review.status === 'loading' ? 'spin' : undefined} />
        Recompute
      </button>
      <button
        type="button"
        className="btn"
        onClick={() => void doExport('csv')}
        disabled={!review.data || exporting.status === 'loading'}
        data-testid="export-csv"
      >
        Export CSV
      </button>
      <button
        type="button"
        className="btn"
        onClick={() => void doExport('markdown')}
        disabled={!review.data || exporting.status === 'loading'}
        data-testid="export-markdown"
      >
        {exporting.status === 'loading' && exporting.format === 'markdown'
          ? 'Exporting…'
          : 'Export report (Markdown)'}
      </button>
    </>
  );
}

/** The export as the browser saves it: the CSV's text, or the report's zip (base64). */
function saveDownload(d: ExportResult['download']) {
  const data =
    d.base64 !== undefined ? Uint8Array.from(atob(d.base64), (c) => c.charCodeAt(0)) : (d.text ?? '');
  downloadFile(d.fileName, d.mediaType, data);
}

/** Where the export went, with links to download the files in the browser (the zip, or the CSV, and each PNG). */
export function ExportDone({ result }: { result: ExportResult }) {
  const transportKind = useApp((s) => s.transportKind);
  const [images] = useState(() => chartImages());
  return (
    <Banner
      tone="info"
      title={`Exported ${result.files.length} file${result.files.length === 1 ? '' : 's'}`}
      testId="export-done"
    >
      Saved in <span className="mono">{result.directory}</span>:{' '}
      {result.files.map((f, i) => {
        const png = f.name.endsWith('.png');
        const img = png ? images.find((c) => f.name.endsWith(`-${c.name}.png`)) : undefined;
        return (
          <span key={f.name}>
            {i > 0 && ', '}
            {transportKind !== 'electron' && (png ? img : f.name === result.download.fileName) ? (
              <a
                className="cost-download"
                href={png ? img?.dataUrl : undefined}
                download={f.name}
                onClick={(e) => {
                  if (png) return;
                  e.preventDefault();
                  saveDownload(result.download);
                }}
                data-testid="export-file"
              >
                {f.name}
              </a>
            ) : (
              <span className="mono" data-testid="export-file">
                {f.name}
              </span>
            )}
          </span>
        );
      })}
    </Banner>
  );
}
