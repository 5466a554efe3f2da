import Table from 'cli-table3';
import { terminalSafe } from './terminal.js';

/** A borderless table like docker's: header row, columns separated by three spaces. */
export function renderTable(head: string[], rows: string[][]): string {
  const table = new Table({
    head,
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
      'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '   ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  table.push(...rows.map((row) => row.map((cell) => terminalSafe(oneLine(cell)))));
  return `${table.toString().split('\n').map((l) => l.trimEnd()).join('\n')}\n`;
}

/** Newlines (which would break a row) become single spaces. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

/** Cuts text to `width` characters, ending with … when cut. */
export function truncate(text: string, width: number): string {
  const flat = oneLine(text);
  const chars = [...flat];
  return chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : flat;
}
