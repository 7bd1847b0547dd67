import { describe, expect, it } from 'vitest';
import { matchesFilter } from '../../../renderer/components/listFilter';

describe('list filter', () => {
  it('keeps every row for an empty filter', () => {
    expect(matchesFilter('', ['x'])).toBe(true);
    expect(matchesFilter('   ', [])).toBe(true);
  });
  it('needs every word, in any of the texts, in any case', () => {
    expect(matchesFilter('llm 70B', ['llama-70b-chat', 'llm'])).toBe(true);
    expect(matchesFilter('llm 8b', ['llama-70b-chat', 'llm'])).toBe(false);
    expect(matchesFilter('severity=critical', ['severity=critical', null, undefined])).toBe(true);
  });
  it('does not match across two texts', () => {
    // "chat" + "llm" side by side is not "chatllm"
    expect(matchesFilter('chatllm', ['llama-70b-chat', 'llm'])).toBe(false);
  });
});
