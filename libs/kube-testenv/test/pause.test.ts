import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@cryptoviz/testkit';
import { spawnWatched, type WatchedProcess } from '@cryptoviz/testkit/process';
import { ensurePause } from '../src/index.ts';

/** The pause build is small (seconds), but the first one may wait on the Go toolchain's cache. */
const BUILD_TIMEOUT_MS = 10 * 60_000;

let pause: string;
beforeAll(async () => {
  pause = await ensurePause((line) => process.stderr.write(`[pause build] ${line}\n`));
}, BUILD_TIMEOUT_MS);

/** A process's state letter from /proc (Z: a zombie nobody reaped), or gone once reaped. */
function processState(pid: number): string {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return 'gone';
  // The state follows the command name, which is in parentheses and may hold spaces.
  return readFileSync(stat, 'utf8').split(') ')[1]?.[0] ?? 'gone';
}

/**
 * Forks a child that ends after `childSeconds`, prints its pid, then becomes pause, so the child
 * is pause's own. With 0 it first waits until the child is a zombie (ended, unreaped), so pause
 * inherits one. Perl (Debian's perl-base is always there) because it reaps nothing by itself,
 * unlike a shell, which would collect the child and prove nothing.
 */
const FORK_THEN_EXEC = String.raw`
$| = 1;
my ($childSeconds, $program) = @ARGV;
my $child = fork() // die "fork: $!";
if ($child == 0) { select(undef, undef, undef, $childSeconds); exit 0 }
print "$child\n";
if ($childSeconds == 0) {
  while (1) { open(my $f, '<', "/proc/$child/stat") or die; last if <$f> =~ /\) Z /; }
}
exec { $program } $program or die "exec: $!";
`;

function pauseWithChild(childSeconds: number): WatchedProcess {
  return spawnWatched('perl', ['-e', FORK_THEN_EXEC, String(childSeconds), pause]);
}

async function firstLine(proc: WatchedProcess): Promise<number> {
  const line = await eventually(
    async () => proc.output(),
    (out) => out.includes('\n'),
  );
  return Number(line.split('\n')[0]);
}

/**
 * Runs pause over a child that ends after `childSeconds`, waits until that child is reaped (gone
 * from /proc, not a zombie), then sends `signal`: pause's exit code.
 */
async function reapThenStop(childSeconds: number, signal: NodeJS.Signals): Promise<number | null> {
  const proc = pauseWithChild(childSeconds);
  const child = await firstLine(proc);
  await eventually(
    async () => processState(child),
    (state) => state === 'gone',
  );
  proc.child.kill(signal);
  return proc.exited;
}

describe('pause', () => {
  it('the second build call answers with the same cached binary', async () => {
    expect(await ensurePause()).toBe(pause);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('exits 0 on %s', async (signal) => {
    // Once it has reaped a child it handles signals (it reaps only after asking for them).
    expect(await reapThenStop(0.1, signal)).toBe(0);
  });

  it('reaps a child that ends while it runs', async () => {
    expect(await reapThenStop(0.5, 'SIGTERM')).toBe(0);
  });

  it('reaps a child that ended before it started', async () => {
    expect(await reapThenStop(0, 'SIGTERM')).toBe(0);
  });
});
