import { Segmented } from '../../components/Segmented';
import { useTheme, themeStore, type ThemePreference } from '../../state/theme';

const choices: Array<{ label: string; value: ThemePreference }> = [
  { label: 'System', value: 'system' },
  { label: 'Light', value: 'light' },
  { label: 'Dark', value: 'dark' },
];

/** The theme: applies at once and is remembered on this computer only (no Save, nothing sent to main). */
export function AppearanceSection() {
  const preference = useTheme((s) => s.preference);
  const theme = useTheme((s) => s.theme);
  return (
    <section className="panel form-section" aria-labelledby="appearance-head" data-testid="appearance">
      <header className="section-head">
        <h2 id="appearance-head">Appearance</h2>
        <p>
          Applies at once and is remembered on this computer.{' '}
          {preference === 'system' && <span data-testid="theme-now">The system asks for {theme}.</span>}
        </p>
      </header>
      <Segmented
        label="Theme"
        options={choices}
        value={preference}
        onChange={(p) => themeStore.getState().setPreference(p)}
        testId="theme-switch"
      />
    </section>
  );
}
