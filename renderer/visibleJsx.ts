/**
 * The renderer's JSX runtime: React's, with every piece of text a host element shows (its text children and
 * its `title`, `aria-label` and `alt`) passed through visibleText. Names, labels, events, alerts and FOCUS tags
 * come from the cluster or a file; a right-to-left override in one would make `report\u202Egnp.exe` read
 * `reportexe.png`. Doing it here covers every view, table cell and banner at once, including views written
 * later, without each having to remember.
 *
 * Wired in renderer/vite.config.ts (plugin-react's `jsxImportSource`, aliased to this file). Only host elements
 * (`span`, `td`, …) are touched: props handed to components, and form values (`value`, `defaultValue`) that
 * are sent back, stay as they are.
 */
import { Fragment, jsx as reactJsx, jsxs as reactJsxs } from 'react/jsx-runtime';
import { jsxDEV as reactJsxDEV } from 'react/jsx-dev-runtime';
import { visibleText } from '../shared/visibleText';

type Props = Record<string, unknown> | null | undefined;

const SHOWN_ATTRIBUTES = ['title', 'aria-label', 'alt'] as const;

function visibleChildren(children: unknown): unknown {
  if (typeof children === 'string') return visibleText(children);
  if (Array.isArray(children)) {
    let changed = false;
    const out = children.map((c) => {
      const v = visibleChildren(c);
      if (v !== c) changed = true;
      return v;
    });
    return changed ? out : children;
  }
  return children;
}

/** The props of a host element with its shown text made visible (the same object when nothing changes). */
export function visibleProps(type: unknown, props: Props): Props {
  if (typeof type !== 'string' || !props) return props;
  let out: Record<string, unknown> | null = null;
  const set = (key: string, value: unknown) => {
    if (value === props[key]) return;
    out ??= { ...props };
    out[key] = value;
  };
  if ('children' in props) set('children', visibleChildren(props.children));
  for (const a of SHOWN_ATTRIBUTES) {
    const v = props[a];
    if (typeof v === 'string') set(a, visibleText(v));
  }
  return out ?? props;
}

/** @public compiled JSX imports it (`<>…</>`) */
export { Fragment };

export const jsx: typeof reactJsx = (type, props, key) =>
  reactJsx(type, visibleProps(type, props as Props) as typeof props, key);

export const jsxs: typeof reactJsxs = (type, props, key) =>
  reactJsxs(type, visibleProps(type, props as Props) as typeof props, key);

export const jsxDEV: typeof reactJsxDEV = (type, props, key, isStatic, source, self) =>
  reactJsxDEV(type, visibleProps(type, props as Props) as typeof props, key, isStatic, source, self);
