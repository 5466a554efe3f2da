/**
 * Shell completion scripts (`regctl completion bash|zsh|fish`), written from the command specs: commands and
 * subcommands, each one's flags, the values of flags with choices, files for flags and arguments that name one,
 * image locations (the transports, files after `oci:`, `docker-archive:`, `oci-archive:`, local images after
 * `local:`) and local image names (asked of `regctl images` as you type) for the commands of the local store.
 */
import type { ArgumentSpec, CommandSpec, OptionSpec } from './spec.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** Commands whose image arguments are names in the local store. */
const LOCAL_COMMANDS = new Set(['push', 'save', 'images', 'rmi', 'tag']);

/** What an argument takes: its choices, any location (its help lists the transports), a local image, files, or nothing we know. */
function argKind(path: string, a: ArgumentSpec): string {
  if (a.choices) return `word:${a.choices.join(' ')}`;
  if (/\b(files?|dir|directory|path)\b/.test(a.name)) return 'file';
  if (/\boci:/.test(a.description)) return 'location';
  if (LOCAL_COMMANDS.has(path.split(' ')[0]!) || /\blocal images?\b/.test(a.description)) return 'local';
  return '';
}

/** How an option's value completes: from its choices, as a file or directory, or not at all. */
function valueKind(o: OptionSpec): string {
  if (o.choices) return `word:${o.choices.join(' ')}`;
  if (/file|path/i.test(o.value ?? '')) return 'file';
  if (/dir/i.test(o.value ?? '')) return 'dir';
  return '';
}

function walk(spec: CommandSpec, path = ''): [string, CommandSpec][] {
  return [[path, spec], ...spec.subcommands.flatMap((s) => walk(s, path ? `${path} ${s.name}` : s.name))];
}

const names = (o: OptionSpec) => [o.short, o.long].filter((n): n is string => !!n);
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function completionScript(shell: Shell, root: CommandSpec, transports: readonly string[]): string {
  if (shell === 'fish') return fishScript(root, transports);
  const bash = bashScript(root, transports);
  return shell === 'bash' ? bash : zshScript(bash);
}

/** zsh asks the bash completion (run by bash, whole words: no splitting at colons) and offers what it answers. */
function zshScript(bash: string): string {
  if (bash.includes('\n_REGCTL_BASH_END\n')) throw new Error('completion: the bash script contains the here-document end marker');
  return `#compdef regctl
# zsh completion for regctl, generated from its command definitions (regctl completion zsh).
# Load it now: source <(regctl completion zsh)
# For every new shell: regctl completion zsh > "\${fpath[1]}/_regctl"  (then compinit)
_REGCTL_BASH=$(cat <<'_REGCTL_BASH_END'
${bash}
_regctl_print() {
  COMP_WORDBREAKS=' '
  COMP_LINE="$_REGCTL_LINE"
  COMP_POINT=\${#COMP_LINE}
  _regctl
  printf '%s\\n' "\${COMPREPLY[@]}"
}
_REGCTL_BASH_END
)

_regctl() {
  local c
  local -a reply
  reply=("\${(@f)$(_REGCTL_LINE="\${BUFFER[1,CURSOR]}" bash -c "$_REGCTL_BASH"$'\\n_regctl_print' 2>/dev/null)}")
  for c in $reply; do
    [[ -n $c ]] || continue
    if [[ $c == *[:/] ]]; then compadd -Q -S '' -- "$c"; else compadd -Q -- "$c"; fi
  done
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _regctl "$@"; else compdef _regctl regctl; fi
`;
}

function bashScript(root: CommandSpec, transports: readonly string[]): string {
  const cmds = walk(root);
  /** A command's path and the paths its aliases make (`copy`, `cp`), as case patterns, each followed by `suffix`. */
  const patterns = (path: string, spec: CommandSpec, suffix = '') =>
    [path, ...spec.aliases.map((a) => path.replace(/\S+$/, a))].map((p) => sq(p + suffix)).join('|');
  const cases = (fn: (path: string, spec: CommandSpec) => string | undefined) =>
    cmds.map(([p, s]) => [p, s, fn(p, s)] as const).filter(([, , v]) => v).map(([p, s, v]) => `    ${patterns(p, s)}) ${v};;`).join('\n');
  const optionValues = cmds.flatMap(([p, s]) =>
    s.options.filter((o) => o.value).map((o) => `    ${names(o).map((n) => patterns(p, s, `|${n}`)).join('|')}) echo ${sq(valueKind(o) || 'none')};;`),
  );
  const args = cmds.flatMap(([p, s]) => s.arguments.map((a, i) => `    ${patterns(p, s, `|${i + 1}`)}) echo ${sq((a.variadic ? '+' : '') + (argKind(p, a) || 'none'))};;`));
  return `# bash completion for regctl, generated from its command definitions (regctl completion bash).
# Load it now: source <(regctl completion bash)
# For every new shell: regctl completion bash > ~/.local/share/bash-completion/completions/regctl

_regctl_subs() {
  case "$1" in
${cases((_p, s) => (s.subcommands.length ? `echo ${sq(s.subcommands.flatMap((c) => [c.name, ...c.aliases]).join(' '))}` : undefined))}
  esac
}

_regctl_opts() {
  case "$1" in
${cases((_p, s) => (s.options.length ? `echo ${sq(s.options.flatMap(names).join(' '))}` : undefined))}
  esac
}

# Options that take a value, and how it completes (word:CHOICES, file, dir, none).
_regctl_optval() {
  case "$1|$2" in
${optionValues.join('\n')}
    *) return 1;;
  esac
}

# The Nth argument of a command: location, local, file or none; + when it repeats.
_regctl_arg() {
  case "$1|$2" in
${args.join('\n')}
    *) return 1;;
  esac
}

_regctl_local_images() {
  regctl images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep -v ':<none>$'
}

_regctl_add() {
  local kind="$1" cur="$2"
  _regctl_reply() { local l; while IFS= read -r l; do COMPREPLY+=("$l"); done; }
  case "$kind" in
    word:*) _regctl_reply < <(compgen -W "\${kind#word:}" -- "$cur");;
    file) _regctl_reply < <(compgen -f -- "$cur"); compopt -o filenames 2>/dev/null;;
    dir) _regctl_reply < <(compgen -d -- "$cur"); compopt -o filenames 2>/dev/null;;
    local) _regctl_reply < <(compgen -W "$(_regctl_local_images)" -- "$cur");;
    location)
      case "$cur" in
        local:*) _regctl_reply < <(compgen -P local: -W "$(_regctl_local_images)" -- "\${cur#local:}");;
        oci:*|oci-archive:*|docker-archive:*) _regctl_reply < <(compgen -P "\${cur%%:*}:" -f -- "\${cur#*:}");;
        *) _regctl_reply < <(compgen -W ${sq(transports.join(' '))} -- "$cur"); compopt -o nospace 2>/dev/null;;
      esac;;
  esac
}

_regctl() {
  COMPREPLY=()
  local line="\${COMP_LINE:0:COMP_POINT}" cur="" path="" n=0 i w kind pending=""
  local -a words
  read -ra words <<< "$line"
  if [[ -n "$line" && "$line" != *[[:space:]] ]]; then cur="\${words[\${#words[@]}-1]}"; unset 'words[\${#words[@]}-1]'; fi
  for ((i = 1; i < \${#words[@]}; i++)); do
    w="\${words[i]}"
    if [[ -n "$pending" ]]; then pending=""; continue; fi
    case "$w" in
      --*=*) continue;;
      -*) if _regctl_optval "$path" "$w" >/dev/null || _regctl_optval "" "$w" >/dev/null; then pending="$w"; fi; continue;;
    esac
    if [[ $n -eq 0 && " $(_regctl_subs "$path") " == *" $w "* ]]; then path="\${path:+$path }$w"; else n=$((n + 1)); fi
  done
  if [[ -n "$pending" ]]; then
    kind=$(_regctl_optval "$path" "$pending" || _regctl_optval "" "$pending")
    _regctl_add "$kind" "$cur"
  elif [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(_regctl_opts "$path") $(_regctl_opts "")" -- "$cur"))
  else
    [[ $n -eq 0 ]] && COMPREPLY=($(compgen -W "$(_regctl_subs "$path")" -- "$cur"))
    kind=$(_regctl_arg "$path" $((n + 1)))
    if [[ -z "$kind" ]]; then
      # past the last argument: a repeating one goes on
      for ((i = n; i > 0; i--)); do kind=$(_regctl_arg "$path" $i) && break; done
      [[ "$kind" == +* ]] || kind=""
    fi
    _regctl_add "\${kind#+}" "$cur"
  fi
  # bash splits words at ':' (COMP_WORDBREAKS): hand back only what follows the last colon of the word
  if [[ "$cur" == *:* && "$COMP_WORDBREAKS" == *:* ]]; then
    local colon="\${cur%"\${cur##*:}"}"
    for i in "\${!COMPREPLY[@]}"; do COMPREPLY[i]="\${COMPREPLY[i]#"$colon"}"; done
  fi
}

complete -F _regctl regctl
`;
}

function fishScript(root: CommandSpec, transports: readonly string[]): string {
  const lines = [
    '# fish completion for regctl, generated from its command definitions (regctl completion fish).',
    '# For every new shell: regctl completion fish > ~/.config/fish/completions/regctl.fish',
    "function __regctl_local_images; command -q regctl; and regctl images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | string match -v '*:<none>'; end",
    '',
  ];
  const opt = (cond: string, o: OptionSpec) => {
    const parts = [`complete -c regctl -n ${sq(cond)}`];
    if (o.short) parts.push(`-s ${o.short.slice(1)}`);
    if (o.long) parts.push(`-l ${o.long.slice(2)}`);
    if (o.value) {
      const kind = valueKind(o);
      parts.push(kind.startsWith('word:') ? `-x -a ${sq(kind.slice(5))}` : kind ? '-r -F' : '-x');
    }
    parts.push(`-d ${sq(o.description)}`);
    return parts.join(' ');
  };
  for (const o of root.options) lines.push(opt('true', o));
  for (const [path, spec] of walk(root)) {
    const words = path ? path.split(' ') : [];
    const cond = words.length === 0 ? '__fish_use_subcommand' : `__fish_seen_subcommand_from ${words[words.length - 1]}`;
    for (const sub of spec.subcommands) lines.push(`complete -c regctl -f -n ${sq(cond)} -a ${sub.name} -d ${sq(sub.summary)}`);
    if (!path) continue;
    for (const o of spec.options) lines.push(opt(cond, o));
    const kinds = new Set(spec.arguments.map((a) => argKind(path, a)));
    if (kinds.has('location')) lines.push(`complete -c regctl -n ${sq(cond)} -a ${sq(transports.join(' '))}`, `complete -c regctl -n ${sq(cond)} -a '(__regctl_local_images | string replace -r "^" local:)'`);
    for (const k of kinds) if (k.startsWith('word:')) lines.push(`complete -c regctl -f -n ${sq(cond)} -a ${sq(k.slice(5))}`);
    if (kinds.has('local')) lines.push(`complete -c regctl -f -n ${sq(cond)} -a '(__regctl_local_images)'`);
  }
  return `${lines.join('\n')}\n`;
}
