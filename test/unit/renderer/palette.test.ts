import { describe, expect, it } from 'vitest';
import { commandScore, rankCommands, wordScore } from '../../../renderer/components/commandRank';

const titles = (items: Array<{ title: string }>) => items.map((i) => i.title);

const commands = [
  { title: 'Models', keywords: 'go services deployments' },
  { title: 'Model health', keywords: 'go metrics slo latency' },
  { title: 'llama-70b-chat', keywords: 'llm Deployment' },
  { title: 'llama-8b-chat', keywords: 'llm Deployment' },
  { title: 'Roll back llama-70b-chat…', keywords: 'undo revert llm' },
  { title: 'Roll back llama-8b-chat…', keywords: 'undo revert llm' },
  { title: 'Route llama-70b-chat to fallback…', keywords: 'traffic drain' },
  { title: 'Silence…', keywords: 'mute alert' },
  { title: 'Alerts', keywords: 'go alertmanager silences' },
];

describe('command ranking', () => {
  it('keeps the given order for an empty query', () => {
    expect(titles(rankCommands(commands, '  '))).toEqual(titles(commands));
  });

  it('finds letters in order, across words and dashes', () => {
    expect(wordScore('rb70', 'roll back llama-70b-chat…')).not.toBeNull();
    expect(wordScore('70rb', 'roll back llama-70b-chat…')).toBeNull();
    expect(commandScore('zz', commands[0]!)).toBeNull();
  });

  it('puts the rollback of the model asked for first', () => {
    expect(rankCommands(commands, 'roll 70b')[0]?.title).toBe('Roll back llama-70b-chat…');
    expect(rankCommands(commands, 'rb 8b')[0]?.title).toBe('Roll back llama-8b-chat…');
  });

  it('ranks a whole word at a word start over scattered letters', () => {
    expect(rankCommands(commands, 'health')[0]?.title).toBe('Model health');
    // "models" is a word of the title "Models" itself, but scattered in "Roll back llama…"
    expect(rankCommands(commands, 'models')[0]?.title).toBe('Models');
  });

  it('prefers the shorter title with the same match (the model before its actions)', () => {
    const r = titles(rankCommands(commands, 'llama-70b'));
    expect(r[0]).toBe('llama-70b-chat');
    expect(r).not.toContain('llama-8b-chat');
  });

  it('finds by keywords, below a title match', () => {
    expect(titles(rankCommands(commands, 'mute'))).toEqual(['Silence…']);
    const r = titles(rankCommands(commands, 'silence'));
    expect(r[0]).toBe('Silence…');
    expect(r).toContain('Alerts');
  });

  it('needs every word of the query to match', () => {
    expect(titles(rankCommands(commands, 'fallback 8b'))).toEqual([]);
    expect(titles(rankCommands(commands, 'fallback 70b'))).toEqual(['Route llama-70b-chat to fallback…']);
  });

  it('falls back to a plain match when jumping to word starts would miss a later letter', () => {
    // the `a` of "xa" is not at a word start and the one of "-a" is, but only the first has a `c` after it
    expect(wordScore('ac', 'xa c-a')).not.toBeNull();
    // and where both work, the word starts win: "Roll Back" over the "ll" and "b" of llama-70b
    expect(wordScore('rb', 'roll back llama-70b')!).toBeGreaterThan(wordScore('rb', 'roll llama-70b')!);
  });

  it('holds ties in the given order and honours the limit', () => {
    const same = [{ title: 'b one' }, { title: 'b two' }, { title: 'b six' }];
    expect(titles(rankCommands(same, 'b'))).toEqual(['b one', 'b two', 'b six']);
    expect(rankCommands(commands, '', 3)).toHaveLength(3);
  });
});
