// Runs a command on a pseudo-terminal (python3's pty module) and answers its prompts, like a person would.
import { spawnCapture, type TestEnv } from './run-cli.js';

export interface PtyStep {
  /** Wait until the output so far contains this text... */
  expect: string;
  /** ...then type this (a line ends with '\r', as the Enter key sends). */
  send: string;
  /** Seconds to wait before typing, as a person would (default 0.05); 0: at once, as a script does. */
  delay?: number;
}

export interface PtyResult {
  code: number;
  /** Everything the terminal showed (stdout and stderr together, with the terminal's echo). */
  output: string;
}

const SCRIPT = String.raw`
import fcntl, json, os, pty, select, struct, sys, termios, time
argv, steps, size = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
pid, fd = pty.fork()
if pid == 0:
    if size:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', size['rows'], size['columns'], 0, 0))
    os.execvp(argv[0], argv)
out = b''
deadline = time.time() + 20
def read_some(timeout):
    global out
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return True
    try:
        data = os.read(fd, 4096)
    except OSError:
        return False
    if not data:
        return False
    out += data
    return True
alive = True
for step in steps:
    while step['expect'].encode() not in out and alive and time.time() < deadline:
        alive = read_some(0.1)
    if step['expect'].encode() not in out:
        break
    time.sleep(step.get('delay', 0.05))
    os.write(fd, step['send'].encode())
while alive and time.time() < deadline:
    alive = read_some(0.1)
_, status = os.waitpid(pid, 0)
sys.stdout.write(json.dumps({'code': os.waitstatus_to_exitcode(status), 'output': out.decode('utf8', 'replace')}))
`;

/** Runs `argv` on a pty (of `size`, else unsized: 0 × 0), answering `steps`. */
export async function runInPty(argv: string[], env: TestEnv, steps: PtyStep[], size?: { rows: number; columns: number }): Promise<PtyResult> {
  const r = await spawnCapture('python3', ['-c', SCRIPT, JSON.stringify(argv), JSON.stringify(steps), JSON.stringify(size ?? null)], env);
  if (r.code !== 0) throw new Error(`pty runner failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as PtyResult;
}
