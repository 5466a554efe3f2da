import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { startSearchFixture, type SearchFixtureHandle } from './helpers/search-fixture.js';
import { seedIndex, type SeededIndex } from './helpers/seed.js';

const exec = promisify(execFile);

/** The same template through skopeo inspect (Go's text/template over skopeo's structs). */
async function skopeoFormat(args: string[], template: string): Promise<string> {
  return (await exec('skopeo', ['inspect', '--tls-verify=false', ...args, '--format', template])).stdout;
}

describe('--format TEMPLATE (Go text/template), judged by skopeo inspect --format', () => {
  let reg: RegistryHandle;
  let home: Home;
  let index: SeededIndex;
  let app: string;

  before(async () => {
    reg = await startRegistry();
    home = await makeHome();
    // An image made by umoci (labels, env, one layer) and pushed by skopeo: no regctl code makes the test data.
    const layout = join(home.dir, 'layout');
    const umoci = (...args: string[]) => exec('umoci', args);
    await umoci('init', '--layout', layout);
    await umoci('new', '--image', `${layout}:1.0`);
    await umoci('config', '--image', `${layout}:1.0`, '--config.label', 'org.opencontainers.image.version=1.0', '--config.label', 'maintainer=ops@example.com',
      '--config.env', 'PATH=/usr/bin:/bin', '--config.env', 'MODE=prod', '--author', 'ops');
    await writeFile(join(home.dir, 'hello.txt'), 'hello\n');
    await umoci('insert', '--image', `${layout}:1.0`, join(home.dir, 'hello.txt'), '/hello.txt');
    app = `${reg.host}/fmt/app`;
    for (const tag of ['1.0', 'latest']) {
      await exec('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${layout}:1.0`, `docker://${app}:${tag}`]);
    }
    index = await seedIndex({ url: reg.url }, 'fmt/multi', 'v1', [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }]);
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
  });

  const SAME_AS_SKOPEO = [
    '{{.Name}}',
    '{{.Digest}}',
    '{{.Architecture}}/{{.Os}}',
    '{{.Labels}}',
    '{{index .Labels "maintainer"}}',
    '{{.Env}}',
    '{{range .Env}}{{.}} {{end}}',
    '{{.Layers}}',
    '{{len .Layers}} layer(s)',
    '{{.RepoTags}}',
    '{{range $i, $t := .RepoTags}}{{if $i}},{{end}}{{$t}}{{end}}',
    '{{if eq .Os "linux"}}linux{{else}}other{{end}} {{printf "%s" .Architecture}}',
    '{{printf "%-10s|%q" .Os .Architecture}}',
    '{{with .Labels}}{{range $k, $v := .}}{{$k}}={{$v}};{{end}}{{end}}',
    '{{.DockerVersion}}|',
  ];
  for (const template of SAME_AS_SKOPEO) {
    test(`inspect --format ${JSON.stringify(template)} prints what skopeo prints`, async () => {
      const r = await runCli(['inspect', '--format', template, `${app}:1.0`], home.env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, await skopeoFormat([`docker://${app}:1.0`], template));
    });
  }

  test('\\t and \\n typed in the template text are a tab and a newline (docker\'s rule); one newline ends the output', async () => {
    const r = await runCli(['inspect', '--format', 'os:\\t{{.Os}}\\narch:\\t{{.Architecture}}\\n', `${app}:1.0`], home.env);
    assert.equal(r.stdout, 'os:\tlinux\narch:\tamd64\n');
    const quoted = await runCli(['inspect', '--format', '{{range .Env}}{{.}}{{"\\n"}}{{end}}', `${app}:1.0`], home.env);
    assert.equal(quoted.stdout, 'PATH=/usr/bin:/bin\nMODE=prod\n');
  });

  test('an index: Digest is the index\'s, the image fields the host platform\'s (as skopeo picks them)', async () => {
    const template = '{{.Digest}} {{.Architecture}} {{.Os}} {{len .Layers}}';
    const r = await runCli(['inspect', '--format', template, `${reg.host}/fmt/multi:v1`], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, await skopeoFormat([`docker://${reg.host}/fmt/multi:v1`], template));
    assert.ok(r.stdout.startsWith(index.digest));
    const platforms = await runCli(['inspect', '--format', '{{range .Manifests}}{{.Platform.OS}}/{{.Platform.Architecture}}{{with .Platform.Variant}}/{{.}}{{end}} {{end}}', `${reg.host}/fmt/multi:v1`], home.env);
    assert.equal(platforms.stdout, 'linux/amd64 linux/arm64/v8 \n');
  });

  test('inspect --config --format sees the image config under Go\'s names, as skopeo inspect --config --format', async () => {
    const template = '{{.Architecture}} {{.OS}} {{.Author}} {{.Config.Env}} {{len .RootFS.DiffIDs}} {{.RootFS.Type}}';
    const r = await runCli(['inspect', '--config', '--format', template, `${app}:1.0`], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, await skopeoFormat(['--config', `docker://${app}:1.0`], template));
  });

  test('{{json .}} holds the documented fields; json keeps working as a format of its own', async () => {
    const r = await runCli(['inspect', '--format', '{{json .}}', `${app}:1.0`], home.env);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    for (const k of ['Name', 'Digest', 'Created', 'DockerVersion', 'Labels', 'Architecture', 'Os', 'Layers', 'LayersData', 'Env', 'MediaType', 'Size', 'Config']) {
      assert.ok(k in doc, `${k} in ${r.stdout}`);
    }
    assert.equal(doc.LayersData[0].Digest, doc.Layers[0]);
    assert.equal(doc.Config.Labels.maintainer, 'ops@example.com');
    const json = await runCli(['inspect', '--format', 'json', `${app}:1.0`], home.env);
    assert.equal(JSON.parse(json.stdout).digest, doc.Digest);
  });

  test('a bad template is exit 2 with its line (as Go names it), before any request (an unreachable registry is not asked)', async () => {
    const r = await runCli(['inspect', '--format', 'x {{.Digest', '127.0.0.1:1/none/such:1'], home.env);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^regctl: template: 1: unclosed action$/m);
    const fn = await runCli(['tags', '--format', '{{range .Tags}}{{nope .}}{{end}}', '127.0.0.1:1/none/such'], home.env);
    assert.equal(fn.code, 2);
    assert.match(fn.stderr, /^regctl: template: 1: function "nope" not defined$/m);
  });

  test('a field the data lacks is exit 2 naming it; a misspelt format name is exit 2, not printed back', async () => {
    const r = await runCli(['inspect', '--format', '{{.Digets}}', `${app}:1.0`], home.env);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^regctl: template: 1:2: executing at <\.Digets>: can't evaluate field Digets in type inspect.Output$/m);
    const typo = await runCli(['tags', '--format', 'jsn', app], home.env);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /^regctl: --format "jsn": neither text, json nor a Go template$/m);
    const raw = await runCli(['inspect', '--raw', '--format', '{{.Digest}}', `${app}:1.0`], home.env);
    assert.equal(raw.code, 2);
  });

  test('manifest get, config and tag ls take templates: the manifest\'s JSON, the config under Go\'s names, the tag list', async () => {
    const raw = JSON.parse((await exec('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${app}:1.0`])).stdout);
    const manifest = await runCli(['manifest', 'get', '--format', '{{.schemaVersion}} {{.config.mediaType}} {{range .layers}}{{.digest}} {{end}}', `${app}:1.0`], home.env);
    assert.equal(manifest.code, 0, manifest.stderr);
    assert.equal(manifest.stdout, `${raw.schemaVersion} ${raw.config.mediaType} ${raw.layers.map((l: { digest: string }) => `${l.digest} `).join('')}\n`);
    const template = '{{.Architecture}} {{.OS}} {{.Config.Env}} {{len .History}}';
    const config = await runCli(['config', '--format', template, `${app}:1.0`], home.env);
    assert.equal(config.code, 0, config.stderr);
    assert.equal(config.stdout, await skopeoFormat(['--config', `docker://${app}:1.0`], template));
    const ls = await runCli(['tag', 'ls', '--format', '{{join .Tags ","}}', app], home.env);
    const text = await runCli(['tag', 'ls', app], home.env);
    assert.deepEqual(ls.stdout.trim().split(',').sort(), ['1.0', 'latest']);
    assert.equal(ls.stdout, `${text.stdout.trim().split('\n').join(',')}\n`);
    const bad = await runCli(['config', '--format', '{{.Nope}}', `${app}:1.0`], home.env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /can't evaluate field Nope in type \*v1\.Image/);
  });

  test('tags --format: skopeo list-tags\' fields, the range idiom prints one tag a line', async () => {
    const r = await runCli(['tags', '--format', '{{range .Tags}}{{.}}{{"\\n"}}{{end}}', app], home.env);
    assert.equal(r.code, 0, r.stderr);
    const text = await runCli(['tags', app], home.env);
    assert.equal(r.stdout, text.stdout);
    const skopeo = JSON.parse((await exec('skopeo', ['list-tags', '--tls-verify=false', `docker://${app}`])).stdout);
    const names = await runCli(['tags', '--format', '{{.Repository}} {{len .Tags}} {{join .Tags ","}}', app], home.env);
    assert.equal(names.stdout, `${skopeo.Repository} ${skopeo.Tags.length} ${skopeo.Tags.join(',')}\n`);
  });

  test('images --format: one line per image with docker\'s field names', async () => {
    const env = { ...home.env, REGCTL_STORE: join(home.dir, 'store-images') };
    assert.equal((await runCli(['pull', '-q', `${app}:1.0`], env)).code, 0);
    const r = await runCli(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}} {{.Digest}}', '--no-trunc'], env);
    assert.equal(r.code, 0, r.stderr);
    const digest = (await skopeoFormat([`docker://${app}:1.0`], '{{.Digest}}')).trim();
    const configDigest = JSON.parse((await exec('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${app}:1.0`])).stdout).config.digest;
    assert.equal(r.stdout, `${app}:1.0 ${configDigest} ${digest}\n`);
    const table = await runCli(['images', '--format', 'table'], env);
    assert.match(table.stdout, /^REPOSITORY\s+TAG\s+IMAGE ID/);
  });

  test('referrers --format walks the referrers as a tree of records', async () => {
    const file = join(home.dir, 'sbom.json');
    await writeFile(file, '{"spdxVersion":"SPDX-2.3"}');
    const attached = await runCli(['attach', `${app}:latest`, '--artifact-type', 'application/spdx+json', file], home.env);
    assert.equal(attached.code, 0, attached.stderr);
    const r = await runCli(['referrers', '--format', '{{.Subject.Digest}}{{range .Referrers}} {{.ArtifactType}} {{.Digest}}{{end}}', `${app}:latest`], home.env);
    assert.equal(r.code, 0, r.stderr);
    const subject = (await skopeoFormat([`docker://${app}:latest`], '{{.Digest}}')).trim();
    assert.equal(r.stdout, `${subject} application/spdx+json ${attached.stdout.trim()}\n`);
  });
});

describe('search --format: docker search\'s fields, one line per result', () => {
  let hub: SearchFixtureHandle;
  let home: Home;
  before(async () => {
    hub = await startSearchFixture([
      { name: 'mysql', description: 'MySQL is a widely used, open-source relational database management system (RDBMS).', star_count: 15000, is_official: true, is_automated: false },
      { name: 'bitnami/mysql', description: 'Bitnami MySQL', star_count: 120, is_official: false, is_automated: true },
    ]);
    home = await makeHome({ registries: { 'docker.io': { search: hub.url } } });
  });
  after(async () => {
    await hub.stop();
    await home.cleanup();
  });

  test('{{.Name}}: {{.StarCount}} {{.IsOfficial}}, descriptions cut as in the table unless --no-trunc', async () => {
    const r = await runCli(['search', '--format', '{{.Name}}: {{.StarCount}} {{.IsOfficial}}', 'mysql'], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'mysql: 15000 true\nbitnami/mysql: 120 false\n');
    const cut = await runCli(['search', '--format', '{{.Description}}', '--limit', '1', 'mysql'], home.env);
    assert.equal([...cut.stdout.trim()].length, 45);
    const full = await runCli(['search', '--no-trunc', '--format', '{{.Description}}', '--limit', '1', 'mysql'], home.env);
    assert.match(full.stdout, /\(RDBMS\)\.\n$/);
  });
});
