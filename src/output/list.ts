import { renderTemplate, type OutputFormat } from './format.js';
import { tagsData } from './template-data.js';

/** A list of names: one per line, or a JSON array. */
export function renderList(items: string[], format: 'text' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(items)}\n`;
  return items.length ? `${items.join('\n')}\n` : '';
}

/** A repository's tags (`tags`, `tag ls`): one per line, JSON, or through a template (`Repository`, `Tags`). */
export function renderTagList(format: OutputFormat<'text' | 'json'>, repository: string, tags: string[]): string {
  return format.template ? renderTemplate(format.template, [tagsData(repository, tags)]) : renderList(tags, format.builtin);
}
