import { useEffect } from 'react';
import { viewFromHash } from '../../state/app';
import { incidentStore, modelsStore } from '../../state';
import { incidentHash } from '../../state/incident';
import { isNotConnected } from '../../state/models';

/** The page was opened on no particular screen (`npm run serve`'s URL, the desktop app's first window). */
const openedOnNoScreen = typeof window !== 'undefined' && viewFromHash(window.location.hash) === null;
let done = false;

/**
 * First start: with no cluster configured (the models list answers "not connected"), the console opens the
 * bundled sample incident as a replay instead of an empty screen; its banner offers to connect a cluster.
 * Only when the page was opened on no particular screen, and once per page.
 */
export function useFirstStartSample(): void {
  useEffect(() => {
    if (!openedOnNoScreen || done) return;
    const check = () => {
      const list = modelsStore.getState().list;
      if (done || list.status === 'idle' || list.status === 'loading') return;
      done = true;
      unsubscribe();
      if (list.status !== 'error' || !isNotConnected(list.error)) return;
      // the user went somewhere meanwhile: stay there
      if (viewFromHash(window.location.hash) !== null) return;
      void incidentStore
        .getState()
        .openSample()
        .then((incident) => {
          if (incident && viewFromHash(window.location.hash) === null)
            window.location.replace(incidentHash(incident.id));
        });
    };
    const unsubscribe = modelsStore.subscribe(check);
    check();
    return unsubscribe;
  }, []);
}
