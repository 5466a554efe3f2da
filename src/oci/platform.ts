/**
 * Platforms (`os/arch[/variant]`), normalized like containerd's platforms package
 * (github.com/containerd/platforms, database.go normalizeOS/normalizeArch):
 *   os:   lowercased, `macos` → `darwin`
 *   arch: `x86_64`, `x86-64` → `amd64` (variant `v1` dropped); `i386` → `386` (variant dropped);
 *         `aarch64` → `arm64`, arm64 variants `8`, `v8`, `v8.0` → none (v8 is arm64's default),
 *         `9`, `9.0`, `v9.0` → `v9`; `armhf` → `arm/v7`; `armel` → `arm/v6`;
 *         `arm` with no variant or `7` → `v7`, `5`/`6`/`8` → `v5`/`v6`/`v8`.
 */
import { UsageError } from '../errors.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
}

/** A part starts with a letter or digit (so `..` and `.hidden` are not platforms); dots may follow (`v8.0`). */
const PART_RE = /^[a-z0-9][a-z0-9_.-]*$/;
const OS_RE = /^([a-z0-9][a-z0-9_.-]*)(?:\(([\w.-]+)\))?$/;

/** Parses `OS/ARCH[/VARIANT]` (`linux/amd64`, `linux/arm/v7`, `windows(10.0.17763)/amd64`) and normalizes it. */
export function parsePlatform(s: string): Platform {
  const bad = () => new UsageError(`invalid platform ${JSON.stringify(s)}: want OS/ARCH[/VARIANT]`, { hint: 'for example linux/amd64 or linux/arm64/v8' });
  const parts = s.trim().toLowerCase().split('/');
  if (parts.length < 2 || parts.length > 3) throw bad();
  const m = OS_RE.exec(parts[0]!);
  if (!m) throw bad();
  const [, os, osVersion] = m;
  const arch = parts[1]!;
  const variant = parts[2];
  if (!PART_RE.test(arch) || (variant !== undefined && !PART_RE.test(variant))) throw bad();
  const p: Platform = { os: os!, architecture: arch };
  if (variant !== undefined) p.variant = variant;
  if (osVersion !== undefined) p.osVersion = osVersion;
  return normalizePlatform(p);
}

/** containerd's Normalize: lowercases and maps architecture aliases and default variants. */
export function normalizePlatform(p: Platform): Platform {
  const os = normalizeOS(p.os);
  const [architecture, variant] = normalizeArch(p.architecture, p.variant ?? '');
  const out: Platform = { os, architecture };
  if (variant) out.variant = variant;
  if (p.osVersion) out.osVersion = p.osVersion;
  return out;
}

function normalizeOS(os: string): string {
  const o = os.toLowerCase();
  return o === 'macos' ? 'darwin' : o;
}

function normalizeArch(archIn: string, variantIn: string): [string, string] {
  let arch = archIn.toLowerCase();
  let variant = variantIn.toLowerCase();
  switch (arch) {
    case 'i386':
      arch = '386';
      variant = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      arch = 'amd64';
      if (variant === 'v1') variant = '';
      break;
    case 'aarch64':
    case 'arm64':
      arch = 'arm64';
      if (variant === '8' || variant === 'v8' || variant === 'v8.0') variant = '';
      else if (variant === '9' || variant === '9.0' || variant === 'v9.0') variant = 'v9';
      break;
    case 'armhf':
      arch = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      arch = 'arm';
      variant = 'v6';
      break;
    case 'arm':
      if (variant === '' || variant === '7') variant = 'v7';
      else if (variant === '5' || variant === '6' || variant === '8') variant = `v${variant}`;
      break;
  }
  return [arch, variant];
}

/** `os[(osVersion)]/arch[/variant]`, as given (normalize first for the canonical form). */
export function formatPlatform(p: Platform): string {
  const os = p.osVersion ? `${p.os}(${p.osVersion})` : p.os;
  return `${os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/**
 * Whether `have` (e.g. an index entry) satisfies `want`: os and architecture equal after
 * normalization; a variant in `want` must equal `have`'s normalized variant (so arm64 and
 * arm64/v8 are the same, and an arm entry without variant is arm/v7); a `want` without
 * variant accepts any variant (parsePlatform always fills arm's: `linux/arm` is arm/v7).
 * osVersion is not compared.
 */
export function platformMatches(want: Platform, have: Platform): boolean {
  const w = normalizePlatform(want);
  const h = normalizePlatform(have);
  if (w.os !== h.os || w.architecture !== h.architecture) return false;
  if (want.variant === undefined || want.variant === '') return true; // no variant asked for: any variant
  return (w.variant ?? '') === (h.variant ?? '');
}

/** What Node says of the machine it runs on (`process` is one): passed in, never read here. */
export interface NodeRuntime {
  platform: string;
  arch: string;
  /** Node's version (`process.version`), for `regctl version`. */
  version?: string;
  /** `process.config.variables.arm_version` on 32-bit arm. */
  armVersion?: string;
}

/** The platform of the machine `runtime` describes, in OCI terms. */
export function hostPlatform(runtime: NodeRuntime): Platform {
  const os = ({ win32: 'windows', sunos: 'solaris' } as Record<string, string>)[runtime.platform] ?? runtime.platform;
  const arch = runtime.arch;
  switch (arch) {
    case 'x64':
      return { os, architecture: 'amd64' };
    case 'ia32':
      return { os, architecture: '386' };
    case 'arm': {
      const v = runtime.armVersion;
      return { os, architecture: 'arm', variant: `v${v !== undefined && /^[5-8]$/.test(v) ? v : '7'}` };
    }
    case 'mipsel':
      return { os, architecture: 'mipsle' };
    case 'ppc64':
      return { os, architecture: os === 'linux' ? 'ppc64le' : 'ppc64' };
    default:
      return { os, architecture: arch }; // arm64, s390x, riscv64, loong64, mips, ppc, …
  }
}
