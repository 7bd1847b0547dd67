import { Fragment } from 'react';

/**
 * Messages and hints mark commands with backticks (`npm run serve`). Show those as code, as text nodes
 * only: nothing in a message is ever parsed as HTML.
 */
export function Ticks({ text }: { text: string }) {
  const parts = text.split('`');
  // an unmatched backtick: show the text as it came
  if (parts.length < 3 || parts.length % 2 === 0) return <>{text}</>;
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? <code key={i}>{part}</code> : <Fragment key={i}>{part}</Fragment>,
      )}
    </>
  );
}
