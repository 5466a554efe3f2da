/**
 * JSON as containers/image reads a policy file (its ParanoidUnmarshalJSONObject): a key given twice in one object is
 * an error, not "the last one wins" as JSON.parse has it — in a security policy a duplicated scope must not silently
 * replace another. Everything else is plain JSON (RFC 8259); the syntax is JSON.parse's own, so no JSON it refuses
 * is taken here. The message of a failure names where it is (`line:column`).
 */
export class PolicyJsonError extends Error {}

const MAX_DEPTH = 64;

export function parseStrictJson(text: string): unknown {
  JSON.parse(text); // the grammar: whatever JSON.parse refuses is refused with its own message
  let i = 0;
  const where = (at: number): string => {
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    return `line ${line}, column ${at - before.lastIndexOf('\n')}`;
  };
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const string = (): string => {
    const start = i;
    i++; // the opening quote
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (depth: number): unknown => {
    if (depth > MAX_DEPTH) throw new PolicyJsonError(`JSON nested deeper than ${MAX_DEPTH} levels at ${where(i)}`);
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') {
        i++;
        return out;
      }
      for (;;) {
        ws();
        const at = i;
        const key = string();
        if (Object.prototype.hasOwnProperty.call(out, key)) throw new PolicyJsonError(`duplicate key ${JSON.stringify(key)} at ${where(at)}`);
        ws();
        i++; // ':'
        // defineProperty: a key "__proto__" is data here, as in JSON.parse, never the prototype.
        Object.defineProperty(out, key, { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i++] === '}') return out;
      }
    }
    if (c === '[') {
      i++;
      const out: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return out;
      }
      for (;;) {
        out.push(value(depth + 1));
        ws();
        if (text[i++] === ']') return out;
      }
    }
    if (c === '"') return string();
    const start = i;
    while (i < text.length && !',]} \t\r\n'.includes(text[i]!)) i++;
    return JSON.parse(text.slice(start, i));
  };
  return value(0);
}
