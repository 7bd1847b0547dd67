import { useId, type ReactNode } from 'react';
import { Field } from '../../components/Field';
import { useSettings } from '../../state';
import type { SettingsDraft } from '../../state/settings';

import { settingsActions as actions } from './settingsActions';

export type TextDraftField = {
  [K in keyof SettingsDraft]: SettingsDraft[K] extends string ? K : never;
}[keyof SettingsDraft];

/** A one-line text field bound to a field of the settings draft (named after it), with its error from the store. */
export function DraftInput({
  draft,
  field,
  label,
  type = 'text',
  placeholder,
  help,
}: {
  draft: SettingsDraft;
  field: TextDraftField;
  label: string;
  type?: 'text' | 'url' | 'password';
  placeholder?: string;
  help?: ReactNode;
}) {
  const id = useId();
  const error = useSettings((s) => s.fieldErrors[field]);
  return (
    <Field label={label} htmlFor={id} error={error} help={help}>
      <input
        id={id}
        name={field}
        className="input mono"
        type={type}
        inputMode={type === 'url' ? 'url' : undefined}
        value={draft[field]}
        placeholder={placeholder}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => actions.edit({ [field]: e.target.value })}
      />
    </Field>
  );
}
