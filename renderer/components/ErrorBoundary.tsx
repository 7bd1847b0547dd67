import { Component, type ErrorInfo, type ReactNode } from 'react';
import { ErrorPanel } from './ErrorPanel';

interface Props {
  children: ReactNode;
  /** what the boundary guards, for the message ("the Models view") */
  what: string;
  /** changing it clears a caught error (e.g. navigating to another view) */
  resetKey?: unknown;
}

interface State {
  error: Error | null;
  resetKey: unknown;
}

/** A render bug shows a typed error in place of the part that broke, never a blank window. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: Error): Partial<State> {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    if (props.resetKey !== state.resetKey) return { error: null, resetKey: props.resetKey };
    return null;
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error(`Firebreak: ${this.props.what} failed to render`, error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="view-center">
        <ErrorPanel
          title={`Something went wrong while showing ${this.props.what}`}
          error={{
            code: 'INTERNAL',
            message: this.state.error.message || 'Unexpected error',
            hint: 'This is a bug in Firebreak. Retry; if it persists, reload the window and report the steps that led here.',
          }}
          onRetry={() => this.setState({ error: null })}
        />
      </div>
    );
  }
}
