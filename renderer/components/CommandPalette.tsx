import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useIncident, useModels, incidentStore } from '../state';
import { alertsStore, useAlerts } from '../state/alerts';
import { rankCommands } from './commandRank';
import { Icon } from './Icon';
import { paletteCommands, type PaletteCommand } from './paletteCommands';
import './keyboard.css';

/**
 * The command palette (Ctrl/Cmd+K, Ctrl/Cmd+Shift+P): go to a view or a model, or start an action. An
 * action only opens its dialog (the action dialog every write goes through, the silence form, Declare):
 * nothing is written from here. A combobox over a listbox; arrows move, Enter runs, Escape closes; focus
 * stays in the input (the options are pointed at with aria-activedescendant).
 */
export function CommandPalette({ onClose }: { onClose: (restoreFocus: boolean) => void }) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const models = useModels((s) => s.list.data?.models);
  const alerts = useAlerts((s) => s.list.data);
  const incidents = useIncident((s) => s.list.data);
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const id = useId();

  // what the palette offers about alerts and incidents: read them again (cheap), the list fills in as they come
  useEffect(() => {
    void alertsStore.getState().load();
    void incidentStore.getState().loadList();
    input.current?.focus();
  }, []);

  const commands = useMemo(() => paletteCommands({ models, alerts, incidents }), [models, alerts, incidents]);
  const shown = useMemo(() => rankCommands(commands, query), [commands, query]);
  const current = Math.min(active, Math.max(0, shown.length - 1));

  useEffect(() => {
    list.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [current, shown]);

  const run = (cmd: PaletteCommand | undefined) => {
    if (!cmd) return;
    onClose(false);
    cmd.run();
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    const move = (to: number) => {
      e.preventDefault();
      setActive(shown.length ? (to + shown.length) % shown.length : 0);
    };
    if (e.key === 'ArrowDown') move(current + 1);
    else if (e.key === 'ArrowUp') move(current - 1);
    else if (e.key === 'PageDown') move(Math.min(shown.length - 1, current + 8));
    else if (e.key === 'PageUp') move(Math.max(0, current - 8));
    else if (e.key === 'Enter') {
      e.preventDefault();
      run(shown[current]);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose(true);
    } else if (e.key === 'Tab') {
      // the input is the one stop in the dialog: focus stays here
      e.preventDefault();
    }
  };

  const optionId = (i: number) => `${id}-opt-${i}`;
  return (
    <div className="kb-backdrop" onMouseDown={() => onClose(true)}>
      <div
        className="palette"
        role="dialog"
        aria-modal="true"
        aria-label="Command palette"
        data-testid="command-palette"
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={onKeyDown}
      >
        <div className="palette-input">
          <Icon name="search" />
          <input
            ref={input}
            role="combobox"
            aria-expanded="true"
            aria-controls={`${id}-list`}
            aria-autocomplete="list"
            aria-activedescendant={shown.length ? optionId(current) : undefined}
            aria-label="Go to a model or view, or run an action"
            placeholder="Go to a model or view, or run an action (roll back, route to fallback, silence…)"
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              setActive(0);
            }}
            spellCheck={false}
            autoComplete="off"
            data-testid="palette-input"
          />
          <kbd className="kbd-hint">Esc</kbd>
        </div>
        <ul ref={list} className="palette-list" role="listbox" id={`${id}-list`} aria-label="Commands">
          {shown.map((cmd, i) => (
            <li
              key={cmd.id}
              id={optionId(i)}
              role="option"
              aria-selected={i === current}
              className="palette-option"
              data-testid="palette-option"
              data-command={cmd.id}
              onMouseMove={() => i !== current && setActive(i)}
              onClick={() => run(cmd)}
            >
              <span className="palette-text">
                <span className="palette-title">{cmd.title}</span>
                {cmd.detail && <span className="palette-detail">{cmd.detail}</span>}
              </span>
              <span className="palette-group">{cmd.group}</span>
            </li>
          ))}
        </ul>
        {shown.length === 0 && (
          <p className="palette-empty" role="status">
            Nothing matches “{query}”.
          </p>
        )}
        <footer className="palette-foot muted">
          <span>
            <kbd>↑</kbd> <kbd>↓</kbd> move
          </span>
          <span>
            <kbd>Enter</kbd> go or open the dialog (nothing is written before you confirm there)
          </span>
          <span>
            <kbd>?</kbd> shortcuts
          </span>
        </footer>
      </div>
    </div>
  );
}
