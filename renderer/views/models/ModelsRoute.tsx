import { useFromHash } from '../../components/useFromHash';
import { detailIdFromHash } from '../../state/modelDetail';
import { ModelDetailView } from './detail/ModelDetailView';
import { ModelsView } from './ModelsView';

/** `#/models` is the list; `#/models?model=<namespace/kind/name>` the detail of one model service. */
export function ModelsRoute() {
  const id = useFromHash(detailIdFromHash);
  return id ? <ModelDetailView key={id} id={id} /> : <ModelsView />;
}
