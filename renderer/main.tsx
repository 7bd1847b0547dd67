import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { setTransport } from './client/current';
import { watchRefusals } from './client/guard';
import { pickTransport } from './client/pick';
import type { ServeTransport } from './client/serve';
import { App } from './App';
import { ErrorBoundary } from './components/ErrorBoundary';
import { appStore, modelsStore } from './state';
import { AccessScreen } from './views/connections/AccessScreen';
import './styles.css';
import './theme.css';
// the theme is on <html> before the first paint (System follows the OS)
import './state/theme';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
const root = createRoot(container);

const picked = pickTransport();

if (picked.kind === 'no-token') {
  root.render(<AccessScreen />);
} else {
  const base = picked.transport;
  setTransport(
    watchRefusals(base, (error) => {
      picked.forgetToken();
      modelsStore.getState().stop();
      appStore.getState().refuse(error);
    }),
  );
  appStore.setState({ transportKind: base.kind, connection: base.kind === 'serve' ? 'idle' : 'open' });
  if (base.kind === 'serve') {
    (base as ServeTransport).onConnectionChange((state) => appStore.getState().setConnection(state));
  }
  root.render(
    <StrictMode>
      <ErrorBoundary what="Firebreak">
        <App />
      </ErrorBoundary>
    </StrictMode>,
  );
}
