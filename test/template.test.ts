import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../src/errors.js';
import { descriptorData, imageData } from '../src/output/template-data.js';
import { mapOf, nilOf, OUTPUT_LIMIT, parseTemplate, record, Scalar, sliceOf, structOf, T } from '../src/template/template.js';

const run = (text: string, data: unknown) => parseTemplate(text).execute(data);

/** Data shaped like `docker inspect` of a container and `docker images` rows, for docker's documented examples. */
const container = {
  Name: '/Web-Server',
  Args: ['-g', 'daemon off;'],
  Image: 'nginx:1.25',
  Names: ['web', 'frontend'],
  LogPath: '/var/lib/docker/containers/abc/abc-json.log',
  // docker's Config and MountPoint are Go structs: their JSON keeps the fields' order.
  Config: record({ Image: 'nginx:1.25', Labels: { maintainer: 'NGINX <docker-maint@nginx.com>' }, Env: ['PATH=/usr/bin', 'NGINX_VERSION=1.25.3'] }, 'container.Config'),
  Mounts: [record({ Type: 'volume', Source: '/data', Destination: '/usr/share/nginx/html', RW: true }, 'types.MountPoint')],
  NetworkSettings: {
    Networks: { bridge: { IPAddress: '172.17.0.2', MacAddress: '02:42:ac:11:00:02' }, backend: { IPAddress: '10.0.0.5', MacAddress: '02:42:0a:00:00:05' } },
    Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '8787/tcp': [{ HostIp: '0.0.0.0', HostPort: '38787' }] },
  },
};

describe("docker's documented --format examples (docs.docker.com/engine/cli/formatting, docker inspect reference)", () => {
  const cases: [template: string, expected: string][] = [
    ['{{join .Args " , "}}', '-g , daemon off;'],
    ['{{join .Names " or "}}', 'web or frontend'],
    ['{{json .Mounts}}', '[{"Type":"volume","Source":"/data","Destination":"/usr/share/nginx/html","RW":true}]'],
    ['{{lower .Name}}', '/web-server'],
    ['{{upper .Name}}', '/WEB-SERVER'],
    ['{{title "hello docker world"}}', 'Hello Docker World'],
    ['{{split .Image ":"}}', '[nginx 1.25]'],
    ['{{split (join .Names "/") "/"}}', '[web frontend]'],
    ['{{range .NetworkSettings.Networks}}{{println .IPAddress}}{{end}}', '10.0.0.5\n172.17.0.2\n'],
    ['{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', '10.0.0.5172.17.0.2'],
    ['{{range .NetworkSettings.Networks}}{{.MacAddress}}{{end}}', '02:42:0a:00:00:0502:42:ac:11:00:02'],
    ['{{.LogPath}}', '/var/lib/docker/containers/abc/abc-json.log'],
    ['{{.Config.Image}}', 'nginx:1.25'],
    ['{{range $p, $conf := .NetworkSettings.Ports}} {{$p}} -> {{(index $conf 0).HostPort}} {{end}}', ' 80/tcp -> 8080  8787/tcp -> 38787 '],
    ['{{(index (index .NetworkSettings.Ports "8787/tcp") 0).HostPort}}', '38787'],
    ['{{json .Config}}', '{"Image":"nginx:1.25","Labels":{"maintainer":"NGINX <docker-maint@nginx.com>"},"Env":["PATH=/usr/bin","NGINX_VERSION=1.25.3"]}'],
    ['{{index .Config.Labels "maintainer"}}', 'NGINX <docker-maint@nginx.com>'],
    ['{{.Config.Labels}}', 'map[maintainer:NGINX <docker-maint@nginx.com>]'],
    ['{{pad .Image 2 3}}|', '  nginx:1.25   |'],
    ['{{truncate .Image 5}}', 'nginx'],
  ];
  for (const [template, expected] of cases) {
    test(template, () => assert.equal(run(template, container), expected));
  }

  test('docker images --format "{{.ID}}: {{.Repository}}" per row', () => {
    const rows = [{ ID: '77af4d6b9913', Repository: 'nginx', Tag: 'latest' }, { ID: 'b6fa739cedf5', Repository: 'committ', Tag: '<none>' }];
    const t = parseTemplate('{{.ID}}: {{.Repository}}');
    assert.deepEqual(rows.map((r) => t.execute(r)), ['77af4d6b9913: nginx', 'b6fa739cedf5: committ']);
  });
});

describe("skopeo's documented --format examples (skopeo-inspect(1))", () => {
  const inspect = {
    Name: 'registry.access.redhat.com/ubi8',
    Digest: 'sha256:4e8e8e8e',
    RepoTags: ['8.6', 'latest'],
    Architecture: 'amd64',
    Os: 'linux',
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'container=oci'],
  };
  test('{{ .Env }} prints a Go slice', () => {
    assert.equal(run('{{ .Env }}', inspect), '[PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin container=oci]');
  });
  test('{{ .Architecture }}', () => assert.equal(run('{{ .Architecture }}', inspect), 'amd64'));
  test('{{.Digest}} and {{.RepoTags}}', () => assert.equal(run('{{.Digest}} {{.RepoTags}}', inspect), 'sha256:4e8e8e8e [8.6 latest]'));
});

describe("Go's text/template semantics", () => {
  const data = record(
    {
      Str: 'hello',
      Empty: '',
      Zero: 0,
      Num: 42,
      Float: 1.5,
      Big: 1234567.5,
      True: true,
      False: false,
      Nil: null,
      List: ['a', 'b', 'c'],
      EmptyList: [],
      Map: { z: 'last', a: 'first', m: 'middle' },
      EmptyMap: {},
      Nested: { Inner: { Deep: 'down' } },
      Records: [record({ Name: 'x', Size: 1 }, 'Item'), record({ Name: 'y', Size: 2 }, 'Item')],
    },
    'Data',
  );
  const cases: [template: string, expected: string][] = [
    // text, dot, fields
    ['plain text', 'plain text'],
    ['{{.Str}}', 'hello'],
    ['{{.Nested.Inner.Deep}}', 'down'],
    ['{{with .Nested}}{{.Inner.Deep}}{{end}}', 'down'],
    ['{{.Map.a}}', 'first'],
    ['{{.Map.missing}}', '<no value>'],
    ['{{.Map.missing.deeper}}', '<no value>'],
    ['{{.Nil}}', '<no value>'],
    ['{{.Float}} {{.Num}} {{.Big}} {{.True}}', '1.5 42 1.2345675e+06 true'],
    // Go's printing of lists, maps (sorted keys) and structs
    ['{{.List}}', '[a b c]'],
    ['{{.Map}}', 'map[a:first m:middle z:last]'],
    ['{{.EmptyList}} {{.EmptyMap}}', '[] map[]'],
    ['{{.Records}}', '[{x 1} {y 2}]'],
    ['{{printf "%v" .Nil}}', '<nil>'],
    // literals
    ['{{"quoted\\tstring"}}', 'quoted\tstring'],
    ['{{`raw \\n string`}}', 'raw \\n string'],
    ["{{'a'}} {{0x1F}} {{1_000}} {{-2.5}} {{1e3}} {{0o17}} {{0b101}}", '97 31 1000 -2.5 1000 15 5'],
    ['{{true}} {{false}}', 'true false'],
    // if / else if / else, with / else
    ['{{if .True}}yes{{end}}', 'yes'],
    ['{{if .False}}yes{{else}}no{{end}}', 'no'],
    ['{{if .Empty}}a{{else if .Zero}}b{{else if .List}}c{{else}}d{{end}}', 'c'],
    ['{{if .EmptyList}}a{{else if .EmptyMap}}b{{else}}c{{end}}', 'c'],
    ['{{if .Nil}}a{{else}}nil is false{{end}}', 'nil is false'],
    ['{{if .Records}}records are true{{end}}', 'records are true'],
    ['{{with .Empty}}x{{else}}empty{{end}}', 'empty'],
    ['{{with .Str}}{{.}}!{{end}}', 'hello!'],
    ['{{with .Empty}}a{{else with .Str}}{{.}}{{end}}', 'hello'],
    // range over lists, maps (key order), integers; else; break and continue
    ['{{range .List}}[{{.}}]{{end}}', '[a][b][c]'],
    ['{{range $i, $v := .List}}{{$i}}={{$v}} {{end}}', '0=a 1=b 2=c '],
    ['{{range $v := .List}}{{$v}}{{end}}', 'abc'],
    ['{{range $k, $v := .Map}}{{$k}}:{{$v}} {{end}}', 'a:first m:middle z:last '],
    ['{{range .EmptyList}}x{{else}}none{{end}}', 'none'],
    ['{{range .Nil}}x{{else}}none{{end}}', 'none'],
    ['{{range 3}}{{.}}{{end}}', '012'],
    ['{{range .List}}{{if eq . "b"}}{{break}}{{end}}{{.}}{{end}}', 'a'],
    ['{{range .List}}{{if eq . "b"}}{{continue}}{{end}}{{.}}{{end}}', 'ac'],
    ['{{range .Records}}{{.Name}}={{.Size}};{{end}}', 'x=1;y=2;'],
    ['{{range .List}}{{$.Str}}{{end}}', 'hellohellohello'],
    // variables: declaration, assignment, scope
    ['{{$x := .Str}}{{$x}}', 'hello'],
    ['{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}', '2'],
    ['{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}', '21'],
    ['{{$n := 0}}{{range .List}}{{$n = len .}}{{end}}{{$n}}', '1'],
    ['{{$.Str}}', 'hello'],
    // pipelines and parentheses
    ['{{.Str | printf "%s!"}}', 'hello!'],
    ['{{.Str | printf "%s-%s" "x"}}', 'x-hello'],
    ['{{.List | len | printf "%03d"}}', '003'],
    ['{{printf "%s" (index .List 1) | upper}}', 'B'],
    ['{{(index .Records 1).Name}}', 'y'],
    // builtins
    ['{{len .Str}} {{len .List}} {{len .Map}} {{len "héllo"}}', '5 3 3 6'],
    ['{{index .List 2}} {{index .Map "z"}} {{index .Map "nope"}}', 'c last <no value>'],
    ['{{slice .Str 1 3}} {{slice .List 1}}', 'el [b c]'],
    ['{{and 1 0 2}} {{and 1 2}} {{or 0 "" "x"}} {{or 0 ""}}', '0 2 x '],
    ['{{and .False (index .List 99)}}', 'false'],
    ['{{or .True (index .List 99)}}', 'true'],
    ['{{not .Empty}} {{not .Str}}', 'true false'],
    ['{{eq .Str "hello"}} {{eq .Num 41 42}} {{ne .Num 42}} {{eq .Nil .Nil}} {{eq .Str .Nil}}', 'true true false true false'],
    ['{{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1 2}}', 'true true true false'],
    ['{{print 1 2 "a" "b" 3}}', '1 2ab3'],
    ['{{println 1 "a"}}', '1 a\n'],
    ['{{html "<a&b>\\"\'"}}', '&lt;a&amp;b&gt;&#34;&#39;'],
    ['{{js "<a&b>\\"\'="}}', '\\u003Ca\\u0026b\\u003E\\"\\\'\\u003D'],
    ['{{urlquery "a b&c/d"}}', 'a+b%26c%2Fd'],
    ['{{lower "ABC"}}{{upper "def"}}', 'abcDEF'],
    ['{{join .List ", "}}', 'a, b, c'],
    // A map's JSON has its keys sorted, as Go's encoding/json writes it (this expectation had insertion order).
    ['{{json .Map}}', '{"a":"first","m":"middle","z":"last"}'],
    ['{{json .Nil}} {{json .List}}', 'null ["a","b","c"]'],
    // printf verbs, flags, width, precision, and Go's complaints
    ['{{printf "%s|%q|%v|%d|%5d|%-5d|%05d|%+d" "s" "q\\"" .List 7 7 7 7 7}}', 's|"q\\""|[a b c]|7|    7|7    |00007|+7'],
    ['{{printf "%x|%X|%o|%O|%b|%#x|%#o" 255 255 8 8 5 255 8}}', 'ff|FF|10|0o10|101|0xff|010'],
    ['{{printf "%x|% x|%X" "hi" "hi" "hi"}}', '6869|68 69|6869'],
    ['{{printf "%c|%q|%U" 65 65 65}}', "A|'A'|U+0041"],
    ['{{printf "%f|%.2f|%8.3f|%-8.3f|%e|%.1e|%g|%G" 3.14159 3.14159 3.14159 2.5 1234.5 12345.678 0.000012 1e-7}}', '3.141590|3.14|   3.142|2.500   |1.234500e+03|1.2e+04|1.2e-05|1E-07'],
    ['{{printf "%t|%5t|%v" true false true}}', 'true|false|true'],
    ['{{printf "%10s|%-10s|%.2s|%5.1s|" "ab" "cd" "xyz" "xyz"}}', '        ab|cd        |xy|    x|'],
    ['{{printf "%q" .List}}', '["a" "b" "c"]'],
    ['{{printf "%v %+v %#v" .Map 3 "s"}}', 'map[a:first m:middle z:last] 3 "s"'],
    ['{{printf "%T %T %T %T %T %T" 1 1.5 "s" true .List .Map}}', 'int float64 string bool []interface {} map[string]interface {}'],
    ['{{printf "%d %s" "x" 5}}', '%!d(string=x) %!s(int=5)'],
    ['{{printf "%d"}}', '%!d(MISSING)'],
    ['{{printf "%d" 1 2}}', '1%!(EXTRA int=2)'],
    ['{{printf "%s" nil}}', '%!s(<nil>)'],
    ['{{printf "%z" 3}}', '%!z(int=3)'],
    ['{{printf "100%%"}}', '100%'],
    ['{{printf "%*d|%-*d|" 4 1 4 2}}', '   1|2   |'],
    // whitespace trimming and comments
    ['a  {{- "b" -}}  c', 'abc'],
    ['{{- "a" -}}\n\n  {{- "b"}}', 'ab'],
    ['x {{/* a comment */}} y', 'x  y'],
    ['x {{- /* trimmed comment */ -}} y', 'xy'],
    ['{{3 -}} {{- -4}}', '3-4'],
    ['{{range .List -}}\n  {{.}}\n{{- end}}', 'abc'],
    // actions may span lines
    ['{{printf "%s"\n  .Str}}', 'hello'],
  ];
  for (const [template, expected] of cases) {
    test(JSON.stringify(template), () => assert.equal(run(template, data), expected));
  }

  test('$ is the data everywhere, dot changes inside with and range', () => {
    assert.equal(run('{{with .Nested}}{{$.Str}} {{.Inner.Deep}}{{end}}', data), 'hello down');
  });

  test('one parsed template runs many times without state leaking between runs', () => {
    const t = parseTemplate('{{$n := 0}}{{range .}}{{$n = .}}{{end}}{{$n}}');
    assert.equal(t.execute([1, 2, 3]), '3');
    assert.equal(t.execute([]), '0');
  });
});

describe('template errors: a UsageError (exit 2) with Go’s message and position (parse: the line, as Go; execution: line:column from 0)', () => {
  const parseErrors: [template: string, message: string][] = [
    ['{{.Foo', 'template: 1: unclosed action'],
    ['abc {{.Foo}', "template: 1: bad character U+007D '}'"],
    ['abc {{.Foo = 3}}', 'template: 1: unexpected "=" in operand'],
    ['{{if .A}}x', 'template: 1: unexpected EOF'],
    ['x\n{{.A}} {{end}}', 'template: 2: unexpected {{end}}'],
    ['{{else}}', 'template: 1: unexpected {{else}}'],
    ['{{if}}{{end}}', 'template: 1: missing value for if'],
    ['{{}}', 'template: 1: missing value for command'],
    ['{{range}}{{end}}', 'template: 1: missing value for range'],
    ['{{nofunc 1}}', 'template: 1: function "nofunc" not defined'],
    ['{{$x}}', 'template: 1: undefined variable "$x"'],
    ['{{if true}}{{$x := 1}}{{end}}{{$x}}', 'template: 1: undefined variable "$x"'],
    ['{{"abc}}', 'template: 1: unterminated quoted string'],
    ['{{`abc}}', 'template: 1: unterminated raw quoted string'],
    ["{{'a}}", 'template: 1: unterminated character constant'],
    ['{{/* no end', 'template: 1: unclosed comment'],
    ['{{/* c */ x}}', 'template: 1: comment ends before closing delimiter'],
    ['{{.A #}}', 'template: 1: unexpected "#" in operand'],
    ['{{(.A}}', 'template: 1: unclosed left paren'],
    ['{{.A)}}', 'template: 1: unexpected right paren'],
    ['{{3x}}', 'template: 1: bad number syntax: "3x"'],
    ['{{.A | 3}}', 'template: 1: non executable command in pipeline stage 2'],
    ['{{break}}', 'template: 1: {{break}} outside {{range}}'],
    ['{{range $i, $j, $k := .}}{{end}}', 'template: 1: too many declarations in range'],
    ['{{"a".B}}', 'template: 1: unexpected . after term "\\"a\\""'],
    ['{{define "x"}}a{{end}}{{define "x"}}b{{end}}', 'template: 1: template: multiple definition of template "x"'],
    ['line1\nline2 {{ .A | nofunc }}', 'template: 2: function "nofunc" not defined'],
  ];
  for (const [template, message] of parseErrors) {
    test(`parse: ${JSON.stringify(template)}`, () => {
      assert.throws(() => parseTemplate(template), (e: unknown) => {
        assert.ok(e instanceof UsageError);
        assert.equal(e.exitCode, 2);
        assert.equal(e.message, message);
        return true;
      });
    });
  }

  const execErrors: [template: string, message: string][] = [
    ['{{.Labels.a.b}}', 'template: 1:9: executing at <.Labels.a.b>: can\'t evaluate field b in type string'],
    ['ab {{.Foo}}', "template: 1:5: executing at <.Foo>: can't evaluate field Foo in type Inspect"],
    ['{{index .Env 5}}', 'template: 1:2: executing at <index .Env 5>: error calling index: index out of range: 5'],
    ['{{lt 1 "b"}}', 'template: 1:2: executing at <lt 1 "b">: error calling lt: incompatible types for comparison'],
    ['{{eq .Env .Env}}', 'template: 1:2: executing at <eq .Env .Env>: error calling eq: non-comparable type [X=1]: []interface {}'],
    ['{{len 3}}', 'template: 1:2: executing at <len 3>: error calling len: len of type int'],
    ['{{range .Name}}{{end}}', "template: 1:8: executing at <.Name>: range can't iterate over img"],
    ['{{.Name 1}}', 'template: 1:2: executing at <.Name>: Name has arguments but cannot be invoked as function'],
    ['{{.Labels.a 1}}', 'template: 1:9: executing at <.Labels.a>: a is not a method but has arguments'],
    ['{{"x" 1}}', 'template: 1:2: executing at <"x">: can\'t give argument to non-function "x"'],
    ['{{nil}}', 'template: 1:2: executing at <nil>: nil is not a command'],
    ['{{not}}', 'template: 1:2: executing at <not>: wrong number of args for not: want 1 got 0'],
    ['{{printf}}', 'template: 1:2: executing at <printf>: wrong number of args for printf: want at least 1 got 0'],
    ['{{lower 5}}', 'template: 1:8: executing at <5>: expected string; found 5'],
    ['x\n  {{ .Name | printf "%s" | len | upper }}', 'template: 2:33: executing at <upper>: wrong type for value; expected string; got int'],
  ];
  const inspect = record({ Name: 'img', Labels: { a: '1' }, Env: ['X=1'] }, 'Inspect');
  for (const [template, message] of execErrors) {
    test(`execute: ${JSON.stringify(template)}`, () => {
      const t = parseTemplate(template);
      assert.throws(() => t.execute(inspect), (e: unknown) => {
        assert.ok(e instanceof UsageError);
        assert.equal(e.message, message);
        return true;
      });
    });
  }
});

/** What fails: its message (a UsageError, exit 2). */
function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof UsageError, String(e));
    assert.equal(e.exitCode, 2);
    return e.message;
  }
  assert.fail('expected a template error');
}

describe('issue 22 §1: typed data with Go zero values', () => {
  const LABELS = mapOf(T.string, T.string);
  const OUTPUT = structOf('inspect.Output', {
    Name: T.string, Labels: LABELS, Env: sliceOf(T.string), Size: T.int64, Created: T.time, Ports: mapOf(T.string, T.any), Ptr: { name: '*int', kind: 'ptr', elem: T.int },
  });
  const bare = record({ Name: 'img' }, OUTPUT);
  const full = record({ Name: 'img', Labels: { a: '1' }, Env: ['A=1'], Size: 2n ** 53n + 1n, Created: new Scalar(T.time, '2026-01-01T00:00:00Z'), Ports: { p: null } }, OUTPUT);
  const cases: [template: string, data: object, out: string][] = [
    ['[{{.Labels}}][{{.Env}}][{{.Size}}][{{.Created}}][{{.Ptr}}][{{.Ports}}]', bare, '[map[]][[]][0][<nil>][<nil>][map[]]'],
    ['{{printf "%#v|%#v|%#v" .Labels .Env .Created}}', bare, 'map[string]string(nil)|[]string(nil)|<nil>'],
    ['[{{index .Labels "nope"}}][{{.Labels.nope}}][{{index .Ports "nope"}}]', full, '[][<no value>][<no value>]'],
    ['[{{index .Labels "nope"}}][{{.Labels.nope}}]', bare, '[][<no value>]'],
    ['{{if .Labels}}y{{else}}n{{end}} {{len .Env}} {{.Ports.p}} {{print .Ports.p}}', bare, 'n 0 <no value> <nil>'],
    ['{{.Created}}', full, '2026-01-01 00:00:00 +0000 UTC'],
    ['{{.Size}} {{printf "%T %T %T %T %T" .Size .Created .Labels .Env .}}', full, '9007199254740993 int64 *time.Time map[string]string []string inspect.Output'],
  ];
  for (const [template, data, out] of cases) test(template, () => assert.equal(parseTemplate(template).execute(data), out));

  test('times print as time.Time.String(): fractions without trailing zeros, other offsets numeric', () => {
    const t = (v: string) => parseTemplate('{{.}}').execute(new Scalar(T.time, v));
    assert.equal(t('2024-01-02T03:04:05.120000000Z'), '2024-01-02 03:04:05.12 +0000 UTC');
    assert.equal(t('2024-01-02T03:04:05+02:00'), '2024-01-02 03:04:05 +0200 +0200');
    assert.equal(parseTemplate('{{json .}}').execute(new Scalar(T.time, '2024-01-02T03:04:05.5-07:00')), '"2024-01-02T03:04:05.5-07:00"');
  });

  test("images' CreatedAt is docker's: time.Unix(created, 0).String()", () => {
    const row = imageData({ repository: 'r', tag: 't', digest: 'sha256:x', created: '2024-01-02T03:04:05.678+02:00', name: 'r:t', mediaType: 'm' } as never, 'id', 'x', '1B');
    assert.equal(parseTemplate('{{.CreatedAt}}').execute(row), '2024-01-02 01:04:05 +0000 UTC');
  });

  test("a descriptor is the image spec's v1.Descriptor: what the registry left out is a zero value", () => {
    const d = descriptorData({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:ab', size: 12 });
    assert.equal(parseTemplate('{{.Platform}}|{{.URLs}}|{{.Annotations}}|{{.ArtifactType}}|{{printf "%T %T" .Size .Digest}}').execute(d), '<nil>|[]|map[]||int64 digest.Digest');
    assert.equal(parseTemplate('{{.}}').execute(d), '{application/vnd.oci.image.manifest.v1+json sha256:ab 12 [] map[] [] <nil> }');
  });

  test('a struct names the fields it lacks as Go does', () => {
    assert.equal(failure(() => parseTemplate('{{.Nope}}').execute(bare)), "template: 1:2: executing at <.Nope>: can't evaluate field Nope in type inspect.Output");
    assert.equal(failure(() => parseTemplate('{{.Ptr.X}}').execute(bare)), 'template: 1:6: executing at <.Ptr.X>: nil pointer evaluating *int.X');
    assert.equal(parseTemplate('{{printf "%v" .}}').execute(nilOf(mapOf(T.string, T.int)) as object), 'map[]');
  });
});

describe('issue 22 §1: numbers as Go', () => {
  const cases: [template: string, out: string][] = [
    ['{{9007199254740993}} {{0x7fffffffffffffff}} {{-9223372036854775808}}', '9007199254740993 9223372036854775807 -9223372036854775808'],
    ['{{017}} {{0o17}} {{0b1_0}} {{1_000_000}} {{0x_ff}} {{0x1.8p1}} {{1e3}} {{.5}}', '15 15 2 1000000 255 3 1000 0.5'],
    ['{{1i}} {{1+2i}} {{-1.5-0.5i}} {{printf "%T %T" 1i 2.0}}', '(0+1i) (1+2i) (-1.5-0.5i) complex128 float64'],
    ['{{1e6}} {{1e21}} {{100000.0}} {{0.000012}} {{printf "%v %g %e %G" 1e6 1e-7 123456.789 1e-7}}', '1e+06 1e+21 100000 1.2e-05 1e+06 1e-07 1.234568e+05 1E-07'],
    ['{{printf "%.0f %.0f %.0f %.1f %.2f %.1f" 2.5 3.5 0.5 0.25 1.005 0.35}}', '2 4 0 0.2 1.00 0.3'],
    ['{{printf "%x %X %.2x %b" 1.0 -3.75 1.0 0.5}}', '0x1p+00 -0X1.EP+01 0x1.00p+00 4503599627370496p-53'],
    ['{{printf "%8.3f|%-8.2e|%+.1f|% g|%08.2f" 3.14159 1234.5 2.0 1.5 -2.5}}', '   3.142|1.23e+03|+2.0| 1.5|-0002.50'],
  ];
  for (const [template, out] of cases) test(template, () => assert.equal(parseTemplate(template).execute(null), out));

  const errors: [template: string, message: string][] = [
    ['{{0x8000000000000000}}', 'template: 1:2: executing at <0x8000000000000000>: 0x8000000000000000 overflows int'],
    ['{{lt 1 2.0}}', 'template: 1:2: executing at <lt 1 2.0>: error calling lt: incompatible types for comparison'],
    ['{{eq 1 1.0}}', 'template: 1:2: executing at <eq 1 1.0>: error calling eq: incompatible types for comparison'],
  ];
  for (const [template, message] of errors) test(template, () => assert.equal(failure(() => parseTemplate(template).execute(null)), message));
  const parseErrors: [template: string, message: string][] = [
    ['{{99999999999999999999999}}', 'template: 1: integer overflow: "99999999999999999999999"'],
    ['{{0x}}', 'template: 1: illegal number syntax: "0x"'],
    ['{{1__0}}', 'template: 1: illegal number syntax: "1__0"'],
    ['{{08}}', 'template: 1: integer overflow: "08"'],
    ['{{0b12}}', 'template: 1: bad number syntax: "0b12"'],
  ];
  for (const [template, message] of parseErrors) test(template, () => assert.equal(failure(() => parseTemplate(template)), message));
});

describe('issue 22 §1: fmt as Go', () => {
  const data = { m: { b: 2, a: 'x' }, l: [1, 'two', null], s: 'héllo' };
  const cases: [template: string, out: string][] = [
    ['{{printf "%[2]s-%[1]s %[2]s" "a" "b"}}', 'b-a b'],
    ['{{printf "%[3]d %d" 1 2}}', '%!d(BADINDEX) 1'],
    ['{{printf "%+q %q %#q %x % X" .s .s "a`b" "hi" "hi"}}', '"h\\u00e9llo" "héllo" "a`b" 6869 68 69'],
    ['{{printf "%#U %U %c %q" 0x1F600 65 0x1F600 65}}', "U+1F600 '😀' U+0041 😀 'A'"],
    ['{{printf "%#v" .m}}', 'map[string]interface {}{"a":"x", "b":2}'],
    ['{{printf "%#v %v" .l .l}}', '[]interface {}{1, "two", interface {}(nil)} [1 two <nil>]'],
    ['{{printf "%d %s %t" "x" 1 "y"}}', '%!d(string=x) %!s(int=1) %!t(string=y)'],
    ['{{printf "%*d|%.*f|" 2000000 1 2000000 1.0}}', '%!(BADWIDTH)1|%!(BADPREC)1.000000|'],
    ['{{printf "%d %d" 1}} {{printf "%d" 1 2 "x"}} {{printf "%"}}', '1 %!d(MISSING) 1%!(EXTRA int=2, string=x) %!(NOVERB)'],
    ['{{printf "%-5d|%05d|%+d|%x|%#o|%O" 42 -42 42 255 8 8}}', '42   |-0042|+42|ff|010|0o10'],
    ['{{printf "%6.2s|%-4t|%v" "abc" true nil}}', '    ab|true|<nil>'],
  ];
  for (const [template, out] of cases) test(template, () => assert.equal(parseTemplate(template).execute(data), out));
  test('a width of a million pads; a larger one is no number (%!(NOVERB)), never "Invalid string length"', () => {
    assert.equal(parseTemplate('{{printf "%1000000d" 1}}').execute(null).length, 1_000_000);
    assert.equal(parseTemplate('{{printf "%99999999999d" 1}}').execute(null), '%!(NOVERB)%!(EXTRA int=1)');
  });
});

describe('issue 22 §1: define, template, block, control flow, escapers, slicing, limits', () => {
  const cases: [template: string, data: unknown, out: string][] = [
    ['{{define "row"}}<{{.}}>{{end}}{{range .}}{{template "row" .}}{{end}}', ['a', 'b'], '<a><b>'],
    ['{{block "b" .}}[{{.}}]{{end}}|{{template "b" 2}}', 1, '[1]|[2]'],
    ['{{define "n"}}{{if .}}{{.}}{{template "n" (slice . 1)}}{{end}}{{end}}{{template "n" "abc"}}', null, 'abcbcc'],
    ['{{range .}}{{if eq . 2}}{{continue}}{{end}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}', [1, 2, 3, 4, 5], '13'],
    ['{{with 0}}zero{{else with ""}}empty{{else with "x"}}{{.}}{{else}}none{{end}}', null, 'x'],
    ['{{range 3}}{{.}}{{end}} {{range $i := 2}}{{$i}}{{end}} {{range 0}}{{else}}none{{end}}', null, '012 01 none'],
    ['{{js "a\\nb\\u2028<\\x01"}}|{{html "<a&\\"\'>" nil}}|{{html nil}}|{{urlquery "a b&é" .}}', null, 'a\\u000Ab\\u2028\\u003C\\u0001|&lt;a&amp;&#34;&#39;&gt;&lt;no value&gt;|&lt;no value&gt;|a+b%26%C3%A9%3Cno+value%3E'],
    ['{{slice "héllo" 1 3}}|{{len "héllo"}}|{{index "é" 0}}', null, 'é|6|195'],
  ];
  for (const [template, data, out] of cases) test(template, () => assert.equal(parseTemplate(template).execute(data), out));

  test("slicing and indexing out of range fail with Go's errors", () => {
    assert.equal(failure(() => parseTemplate('{{slice "abc" 2 1}}').execute(null)), 'template: 1:2: executing at <slice "abc" 2 1>: error calling slice: invalid slice index: 2 > 1');
    assert.equal(failure(() => parseTemplate('{{slice "abc" 1 5}}').execute(null)), 'template: 1:2: executing at <slice "abc" 1 5>: error calling slice: index out of range: 5');
    assert.equal(failure(() => parseTemplate('{{slice "abc" 0 1 2}}').execute(null)), 'template: 1:2: executing at <slice "abc" 0 1 2>: error calling slice: cannot 3-index slice a string');
  });

  test('recursion is bounded as Go bounds it; deep nesting fails with Go\'s parse errors, never a JavaScript stack overflow', () => {
    assert.match(failure(() => parseTemplate('{{define "r"}}{{template "r" .}}{{end}}{{template "r"}}').execute(null)), /executing "r" at <template "r">: exceeded maximum template depth \(1000\)$/);
    assert.equal(failure(() => parseTemplate(`{{${'('.repeat(5000)}1${')'.repeat(5000)}}}`)), 'template: 1: max expression depth exceeded');
    assert.equal(failure(() => parseTemplate('{{if 1}}'.repeat(5000))), 'template: 1: max control structure depth exceeded');
    assert.equal(parseTemplate(`{{${'('.repeat(500)}1${')'.repeat(500)}}}`).execute(null), '1');
    assert.equal(failure(() => parseTemplate('{{template "missing"}}').execute(null)), 'template: 1:2: executing at <template "missing">: template "missing" not defined');
  });

  test('parse errors name the line as Go does (define and block included)', () => {
    assert.equal(failure(() => parseTemplate('a\nb\n{{define "x"}}{{.}')), "template: 3: bad character U+007D '}'");
    assert.equal(failure(() => parseTemplate('{{block "x"}}{{end}}')), 'template: 1: missing value for block clause');
    assert.equal(failure(() => parseTemplate('{{else with 1}}')), 'template: 1: unexpected {{else}}');
  });
});

describe('issue 22 §1: output bounded and streamed', () => {
  test('output is produced in chunks as it is written, not held whole', async () => {
    const chunks: number[] = [];
    await parseTemplate('{{range 200000}}x{{end}}').stream(null, (c) => void chunks.push(c.length));
    assert.equal(chunks.reduce((a, b) => a + b, 0), 200000);
    assert.ok(chunks.length > 1, `one chunk of ${chunks[0]}`);
  });

  test(`more than ${OUTPUT_LIMIT / 2 ** 20} MiB of output is a clear error, not an exhausted memory`, async () => {
    let written = 0;
    const t = parseTemplate('{{range 1000}}{{printf "%1000000d" 1}}{{end}}');
    await assert.rejects(t.stream(null, (c) => void (written += c.length)), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /^template output exceeds 256 MiB$/);
      return true;
    });
    assert.ok(written <= OUTPUT_LIMIT);
  });

  test('a signal that aborts stops execution with a cancellation (exit 130)', async () => {
    const controller = new AbortController();
    let written = 0;
    const run = parseTemplate('{{range 100000000}}x{{end}}').stream(null, (c) => {
      written += c.length;
      if (written > 1_000_000) controller.abort();
    }, { signal: controller.signal });
    await assert.rejects(run, (e: unknown) => (e as { exitCode?: number }).exitCode === 130 || (e as Error).name === 'AbortError');
    assert.ok(written < 100_000_000);
  });
});
