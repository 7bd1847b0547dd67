import { Banner } from './Banner';
import { go } from './Shell';

/** The metric views with no Prometheus URL: one way to Settings. */
export function NoPrometheusBanner({ toSee }: { toSee: string }) {
  return (
    <Banner
      tone="info"
      title={`Add a Prometheus URL in Settings to see ${toSee}`}
      action={
        <button type="button" className="btn btn-ghost" onClick={() => go('settings')}>
          Open Settings
        </button>
      }
    />
  );
}
