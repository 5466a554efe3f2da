// Go's own text/template tests (exec_test.go, parse/parse_test.go, parse/lex_test.go), restated as data in
// test/fixtures/go-template/tables.ts, run against regctl's engine: each case with Go's expected output, or the
// kind of failure Go reports (a parse error, an execution error) and, where Go's test checks it, the message.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../src/errors.js';
import { lex } from '../src/template/lex.js';
import { parse, parseNumber, treeString } from '../src/template/parse.js';
import { parseTemplate } from '../src/template/template.js';
import {
  BLOCK_TREES, COMPARISONS, DATA, EXEC, EXEC_ERRORS, INTERFACE_VALUES, JS_ESCAPES, LEX, LEX_POS, NUMBERS, PARSE, PARSE_ERRORS, cmpVal, ifaceVal,
} from './fixtures/go-template/tables.js';

const failsWithUsage = (fn: () => unknown): UsageError => {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof UsageError, `expected a template error, got ${caught === undefined ? 'none' : String(caught)}`);
  return caught;
};

describe('exec_test.go: execTests', () => {
  for (const [name, input, output, data, ok] of EXEC) {
    test(`${name}: ${JSON.stringify(input)}`, () => {
      const t = parseTemplate(input); // every exec case parses in Go
      if (ok) assert.equal(t.execute(DATA[data]!()), output);
      else failsWithUsage(() => t.execute(DATA[data]!()));
    });
  }
});

describe('exec_test.go: TestComparison', () => {
  for (const [expr, truth, ok] of COMPARISONS) {
    test(expr, () => {
      const t = parseTemplate(`{{if ${expr}}}true{{else}}false{{end}}`);
      if (ok) assert.equal(t.execute(cmpVal()), truth);
      else failsWithUsage(() => t.execute(cmpVal()));
    });
  }
});

describe('exec_test.go: TestInterfaceValues', () => {
  for (const [text, out] of INTERFACE_VALUES) {
    test(text, () => {
      const t = parseTemplate(text);
      if (out.startsWith('ERROR:')) assert.ok(failsWithUsage(() => t.execute(ifaceVal())).message.includes(out.slice('ERROR:'.length).trim()));
      else assert.equal(t.execute(ifaceVal()), out);
    });
  }
});

describe('exec_test.go: error texts', () => {
  for (const [name, input, data, message] of EXEC_ERRORS) {
    test(name, () => {
      const e = failsWithUsage(() => parseTemplate(input).execute(DATA[data]!()));
      assert.ok(e.message.includes(message), `${e.message} lacks ${message}`);
    });
  }
});

describe('exec_test.go: TestJSEscaping', () => {
  for (const [input, want] of JS_ESCAPES) test(JSON.stringify(input), () => assert.equal(parseTemplate('{{js .}}').execute(input), want));
});

describe('parse_test.go: TestNumberParse', () => {
  for (const [text, flags, int64, uint64, float64, complex] of NUMBERS) {
    test(text, () => {
      const tokens = lex(`{{${text}}}`);
      const tok = tokens[1]!;
      const single = ['number', 'complex', 'charConst'].includes(tok.type) && tok.value === text && tokens[2]?.type === 'right';
      const n = single ? parseNumber(tok.type === 'charConst' ? 'char' : tok.type === 'complex' ? 'complex' : 'number', text) : 'not one number';
      if (!flags) {
        assert.equal(typeof n, 'string', `${text} should not parse`);
        return;
      }
      assert.notEqual(typeof n, 'string', String(n));
      const v = n as Exclude<typeof n, string>;
      assert.deepEqual([v.isInt, v.isUint, v.isFloat, v.isComplex], flags);
      if (v.isInt) assert.equal(v.int64, int64);
      if (v.isUint) assert.equal(v.uint64, uint64);
      if (v.isFloat) assert.equal(v.float64, float64);
      if (v.isComplex) assert.deepEqual([v.complex.re, v.complex.im], complex);
    });
  }
});

describe('parse_test.go: TestParse (maximum depth 3, as the test sets it)', () => {
  const funcs = new Set(['printf', 'contains']);
  for (const [name, input, ok, result] of PARSE) {
    test(`${name}: ${JSON.stringify(input)}`, () => {
      if (ok) assert.equal(treeString(parse(input, funcs, 3).root), result);
      else {
        const e = failsWithUsage(() => parse(input, funcs, 3));
        if (result.startsWith('template:')) assert.equal(e.message, result);
      }
    });
  }
  for (const [input, outer] of BLOCK_TREES) {
    test(`TestBlock: ${input}`, () => {
      const tree = parse(input, funcs, 3);
      assert.equal(treeString(tree.root), outer);
      assert.equal(treeString(tree.defines.get('inner')!), '"bar"{{.}}"baz"');
    });
  }
});

describe('parse_test.go: TestErrors', () => {
  for (const [name, input, contains] of PARSE_ERRORS) {
    test(`${name}: ${JSON.stringify(input)}`, () => {
      const e = failsWithUsage(() => parse(input, new Set(), 3));
      assert.ok(e.message.includes(contains), `${JSON.stringify(e.message)} lacks ${JSON.stringify(contains)}`);
    });
  }
});

/** Our token types under lex_test.go's item names. */
function itemName(type: string, value: string): string {
  const names: Record<string, string> = {
    left: 'left delim', right: 'right delim', eof: 'EOF', dot: '.', declare: ':=', assign: '=', leftParen: '(', rightParen: ')',
    charConst: 'charconst', rawString: 'raw string',
  };
  return type === 'keyword' ? value : (names[type] ?? type);
}

describe('lex_test.go: TestLex and TestPos', () => {
  for (const [name, input, items] of LEX) {
    test(name, () => {
      const got = lex(input).filter((t) => t.type !== 'comment').map((t) => [itemName(t.type, t.value), t.value]);
      assert.deepEqual(got, items);
    });
  }
  for (const [name, input, items] of LEX_POS) {
    test(`pos: ${name}`, () => {
      assert.deepEqual(lex(input).map((t) => [itemName(t.type, t.value), t.pos, t.value]), items);
    });
  }
});
