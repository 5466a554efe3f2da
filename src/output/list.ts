import { terminalSafe } from './terminal.js';

/** A list of names: one per line, or a JSON array. */
export function renderList(items: string[], format: 'text' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(items)}\n`;
  return items.length ? `${items.map((i) => terminalSafe(i)).join('\n')}\n` : '';
}
