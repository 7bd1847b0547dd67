import { useEffect, useState } from 'react';
import { detailIdFromHash } from '../state/modelDetail';
import { ModelDetailView } from './ModelDetailView';
import { ModelsView } from './ModelsView';

/** `#/models` is the list; `#/models?model=<namespace/kind/name>` the detail of one model service. */
export function ModelsRoute() {
  const [id, setId] = useState(() => detailIdFromHash(window.location.hash));
  useEffect(() => {
    const on = () => setId(detailIdFromHash(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return id ? <ModelDetailView key={id} id={id} /> : <ModelsView />;
}
