// Side by side with skopeo 1.9.3 (its real Go text/template, Go 1.19): the same templates over every field of
// `skopeo inspect` (and of `skopeo inspect --config`) on a labelled and an unlabelled image in the real registry,
// byte for byte. skopeo's own wrapping quirks are excluded by rule, never case by case:
//   - it runs the template inside `{{range .}}…{{end}}`: `$` is its wrapper slice, so no template here uses `$`;
//   - it writes through a tabwriter it never flushes: no template here prints a tab;
//   - it replaces a typed `\n` everywhere, even inside an action's string (regctl, as docker, only around actions):
//     no template here types `\n`;
//   - it ends its output with a newline, always; regctl adds one only when the output lacks it;
//   - it runs the template inside its range: `define` is refused there ("unexpected <define> in command"), so
//     define/template/block are judged by the Go tables (template-go-tables.test.ts) instead;
//   - it defines only Go's builtins (no docker json/join/...), and its Go 1.19 has no range over an integer nor
//     `else with`: none of those appear here;
//   - regctl's inspect data has fields after skopeo 1.9.3's (Variant, LayersData, Config, …): no template prints the
//     whole struct (`{{.}}`), only fields skopeo has.
// When skopeo fails (exit 1, a Go execution error), regctl must fail too (exit 2) with nothing compared on stdout.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { blobDescriptor, seedManifest, tarLayer } from './helpers/seed.js';

const exec = promisify(execFile);

const FIELDS = ['Name', 'Tag', 'Digest', 'RepoTags', 'Created', 'DockerVersion', 'Labels', 'Architecture', 'Os', 'Layers', 'Env'];
const CONFIG_FIELDS = [
  'Created', 'Author', 'Architecture', 'Variant', 'OS', 'OSVersion', 'OSFeatures', 'Config.User', 'Config.ExposedPorts', 'Config.Env',
  'Config.Entrypoint', 'Config.Cmd', 'Config.Volumes', 'Config.WorkingDir', 'Config.Labels', 'Config.StopSignal', 'RootFS.Type',
  'RootFS.DiffIDs', 'History',
];

/** Each pattern applied to each field (F stands for the field). */
const PATTERNS = [
  '{{.F}}', '{{print .F}}', '{{println .F}}', '{{printf "%v" .F}}', '{{printf "%+v" .F}}', '{{printf "%#v" .F}}', '{{printf "%T" .F}}',
  '{{printf "%s" .F}}', '{{printf "%q" .F}}', '{{printf "%x" .F}}', '{{printf "%d" .F}}', '{{printf "%12.5v|" .F}}', '{{len .F}}',
  '{{if .F}}yes{{else}}no{{end}}', '{{with .F}}<{{.}}>{{else}}none{{end}}', '{{range .F}}[{{.}}]{{else}}empty{{end}}',
  '{{html .F}}', '{{js .F}}', '{{urlquery .F}}', '{{not .F}}', '{{and .F "x"}}', '{{or .F "x"}}', '{{eq (print .F) ""}}',
];

const EXTRA = [
  '{{index .Labels "org.opencontainers.image.version"}}', '{{.Labels.x}}', '{{.Labels.nope}}', '{{index .Labels "nope"}}',
  '{{printf "%q" (index .Labels "nope")}}', '{{eq (index .Labels "nope") ""}}', '{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}',
  '{{index .Layers 0}}', '{{slice .Digest 0 12}}', '{{slice .Digest 7}}', '{{index .Digest 0}}', '{{len .Digest}}', '{{index .Env 5}}',
  '{{.Nope}}', '{{.Labels.x.y}}', '{{printf "%[2]s-%[1]s" .Os .Architecture}}', '{{printf "%s %s" .Os}}', '{{printf "%s" .Os .Architecture}}',
  '{{printf "%-8s|%8s|" .Os .Architecture}}', '{{printf "%08.3f" 3.14159}}', '{{printf "%v %.0f %.1f %e %g %x" 1e6 2.5 0.25 123456.789 1e-7 1.5}}',
  '{{9007199254740993}} {{0x7fffffffffffffff}} {{0o17}} {{017}} {{0b101}} {{1_000}} {{0x1.8p1}} {{1i}} {{1+2i}} {{-0.0}}',
  '{{printf "%T %T %T %T" 1 1.0 1i \'a\'}}', '{{lt 1 2.0}}', '{{eq 1 1.0}}', '{{printf "%#U %+q %x" 0x1F600 "héllo" "hi"}}',
  '{{printf "%!" }}', '{{printf "%z" 1}}', '{{printf "%*d|" 5 42}}', '{{printf "%.*f" 2 3.14159}}', '{{printf "%d %d" 1}}',
  '{{range .Layers}}{{.}}{{break}}{{end}}', '{{range .Env}}{{if eq . "A=b"}}{{continue}}{{end}}{{.}};{{end}}',
  '{{with .Labels}}{{else}}no labels{{end}}', '{{if .Labels.x}}x{{else if .Env}}env{{else}}none{{end}}',
  '{{$x := .Os}}{{$x = printf "%s!" $x}}{{$x}}', '{{html "<a href=\'x\'>&"}}', '{{js "a b\'\\u2028\\x01<=&"}}', '{{urlquery "a b&c=d/é"}}',
  '{{print 1 2 "a" 3 "b" "c" 4}}', '{{println 1 "a" nil}}', '{{print nil}}', '{{printf "%v" nil}}', '{{printf "%d" nil}}',
  '{{len .Labels}}', '{{index .Labels 1}}', '{{.Created.Nope}}',
];

const TEMPLATES = [...FIELDS.flatMap((f) => PATTERNS.map((p) => p.replaceAll('.F', `.${f}`))), ...EXTRA];
const CONFIG_TEMPLATES = CONFIG_FIELDS.flatMap((f) => ['{{.F}}', '{{printf "%#v" .F}}', '{{printf "%T" .F}}', '{{len .F}}', '{{range .F}}[{{.}}]{{end}}'].map((p) => p.replaceAll('.F', `.${f}`)));

interface Outcome {
  ok: boolean;
  out: string;
}

const strip = (s: string) => (s.endsWith('\n') ? s.slice(0, -1) : s);

async function skopeo(args: string[], template: string, image: string): Promise<Outcome> {
  try {
    const r = await exec('skopeo', ['inspect', '--tls-verify=false', ...args, '--format', template, image]);
    return { ok: true, out: strip(r.stdout) };
  } catch (e) {
    return { ok: false, out: (e as { stderr?: string }).stderr ?? '' };
  }
}

async function pool<T, R>(items: T[], n: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  }));
  return out;
}

describe('templates side by side with skopeo 1.9.3 (byte for byte)', () => {
  let reg: RegistryHandle;
  let home: Home;

  before(async () => {
    reg = await startRegistry();
    home = await makeHome();
    const layer = gzipSync(tarLayer({ 'a.txt': 'hi\n' }));
    const push = async (repo: string, config: object) => {
      const cfg = Buffer.from(JSON.stringify(config));
      const doc = {
        schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        config: blobDescriptor(cfg, 'application/vnd.docker.container.image.v1+json'),
        layers: [blobDescriptor(layer, 'application/vnd.docker.image.rootfs.diff.tar.gzip')],
      };
      await seedManifest({ url: reg.url }, repo, 'v1', doc, [cfg, layer]);
    };
    const diffIds = ['sha256:' + 'ab'.repeat(32)];
    await push('labelled', {
      created: '2026-01-01T00:00:00.123456789Z', architecture: 'amd64', os: 'linux', docker_version: '20.10.7', author: 'ops <ops@example.com>',
      config: {
        User: 'app', Env: ['PATH=/bin', 'A=b', 'Q="quoted" <x>'], Entrypoint: ['/bin/sh', '-c'], Cmd: ['echo hi'], ExposedPorts: { '80/tcp': {}, '443/tcp': {} },
        Volumes: { '/data': {} }, WorkingDir: '/srv', StopSignal: 'SIGTERM',
        Labels: { 'org.opencontainers.image.version': '1.2.3', x: 'y', 'é': 'ünïcode & <html>' },
      },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [{ created: '2026-01-01T00:00:00Z', created_by: '/bin/sh -c #(nop) ADD a.txt' }, { created_by: 'ENV A=b', empty_layer: true }],
    });
    await push('plain', { architecture: 'arm64', variant: 'v8', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: diffIds } });
  });
  after(async () => {
    await reg?.stop();
    await home?.cleanup?.();
  });

  const compare = async (image: string, config: boolean, templates: string[]) => {
    const args = config ? ['--config'] : [];
    const failures: string[] = [];
    const outcomes = await pool(templates, 4, async (t) => {
      const go = await skopeo(args, t, `docker://${reg.host}/${image}:v1`);
      const ours = await runCli(['inspect', ...args, '--format', t, `${reg.host}/${image}:v1`], home.env);
      return { t, go, ours };
    });
    for (const { t, go, ours } of outcomes) {
      if (!go.ok) {
        if (ours.code === 0) failures.push(`${t}: skopeo failed (${go.out.trim()}) but regctl printed ${JSON.stringify(ours.stdout)}`);
        continue;
      }
      const want = go.out.endsWith('\n') ? go.out : `${go.out}\n`;
      if (ours.code !== 0) failures.push(`${t}: regctl failed: ${ours.stderr.trim()} (skopeo: ${JSON.stringify(go.out)})`);
      else if (ours.stdout !== want) failures.push(`${t}:\n  skopeo ${JSON.stringify(go.out)}\n  regctl ${JSON.stringify(strip(ours.stdout))}`);
    }
    return { failures, count: outcomes.length, skopeoFailed: outcomes.filter((o) => !o.go.ok).length };
  };

  for (const image of ['labelled', 'plain']) {
    test(`inspect --format: ${TEMPLATES.length} templates on the ${image} image`, async () => {
      const r = await compare(image, false, TEMPLATES);
      assert.ok(r.count >= 150);
      assert.deepEqual(r.failures, [], `${r.failures.length} of ${r.count} differ`);
    });
    test(`inspect --config --format: ${CONFIG_TEMPLATES.length} templates on the ${image} image`, async () => {
      const r = await compare(image, true, CONFIG_TEMPLATES);
      assert.deepEqual(r.failures, [], `${r.failures.length} of ${r.count} differ`);
    });
  }
});
