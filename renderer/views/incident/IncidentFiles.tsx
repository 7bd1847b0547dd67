import { ErrorPanel } from '../../components/ErrorPanel';
import { incidentStore, useIncident } from '../../state';
import { downloadBase64 } from './files';

const exportFile = async () => {
  const f = await incidentStore.getState().exportFile();
  if (f) downloadBase64(f.fileName, f.base64);
};

const bytes = (n: number) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`);

/** Export the incident as one file a colleague opens; write the postmortem (folder, zip, Markdown preview). */
export function IncidentFiles({ id }: { id: string }) {
  const exported = useIncident((s) => s.exported);
  const pm = useIncident((s) => s.postmortem);
  const p = pm.data;
  return (
    <section className="panel-card inc-files" data-testid="incident-files">
      <div className="section-row">
        <h2 className="section-title">Files</h2>
        <span className="toolbar-spacer" />
        <button
          type="button"
          className="btn"
          data-testid="export-incident"
          disabled={exported.status === 'loading'}
          onClick={() => void exportFile()}
        >
          {exported.status === 'loading' ? 'Exporting…' : 'Export incident file'}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          data-testid="make-postmortem"
          disabled={pm.status === 'loading'}
          onClick={() => void incidentStore.getState().makePostmortem()}
        >
          {pm.status === 'loading' ? 'Writing…' : 'Postmortem'}
        </button>
      </div>
      {exported.data && (
        <p className="muted" data-testid="exported-name">
          Saved <span className="mono">{exported.data.fileName}</span> (
          {bytes(Math.floor((exported.data.base64.length * 3) / 4))}): it opens in any Firebreak with “Open
          incident file…”.
        </p>
      )}
      {exported.error && <ErrorPanel inline title="Not exported" error={exported.error} />}
      {pm.error && <ErrorPanel inline title="The postmortem was not written" error={pm.error} />}
      {p && (
        <div className="inc-pm" data-testid="postmortem">
          <div className="inc-pm-head">
            <span>
              Written to{' '}
              <span className="mono" data-testid="postmortem-dir">
                {p.dir}
              </span>{' '}
              ({p.files.length} files)
            </span>
            <span className="toolbar-spacer" />
            <button
              type="button"
              className="btn"
              data-testid="postmortem-zip"
              onClick={() => downloadBase64(`${id}-postmortem.zip`, p.zipBase64, 'application/zip')}
            >
              Download .zip
            </button>
          </div>
          <details className="inc-pm-files">
            <summary>Files</summary>
            <ul>
              {p.files.map((f) => (
                <li key={f.name} className="mono">
                  {f.name} <span className="muted">{bytes(f.bytes)}</span>
                </li>
              ))}
            </ul>
          </details>
          <pre className="inc-pm-md" data-testid="postmortem-markdown" tabIndex={0}>
            {p.markdown}
          </pre>
        </div>
      )}
    </section>
  );
}
