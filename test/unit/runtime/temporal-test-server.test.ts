import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureTemporalTestServer,
  findTemporalTestServer,
  TEMPORAL_TEST_SERVER_VERSION,
  TemporalTestServerUnavailable,
  wrapperPath,
} from '../../../scripts/temporal-test-server';

function script(dir: string, name: string, body: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/**
 * A stand-in `mvn` that does what copy-dependencies does with our generated pom (jars into -DoutputDirectory), and a
 * `java` that prints its arguments, so the build route runs without Maven Central.
 */
function fakeToolchain(bin: string): void {
  script(
    bin,
    'mvn',
    [
      'for arg in "$@"; do case "$arg" in -DoutputDirectory=*) out="${arg#-DoutputDirectory=}";; -f) ;; esac; done',
      'prev=""; for arg in "$@"; do [ "$prev" = "-f" ] && pom="$arg"; prev="$arg"; done',
      `/bin/grep -q '<artifactId>temporal-test-server</artifactId><version>${TEMPORAL_TEST_SERVER_VERSION}</version>' "$pom" || exit 3`,
      '/bin/mkdir -p "$out"',
      `: > "$out/temporal-test-server-${TEMPORAL_TEST_SERVER_VERSION}.jar"`,
      ': > "$out/grpc-core-1.58.1.jar"',
    ].join('\n'),
  );
  script(bin, 'java', 'echo "java $*"');
}

describe('Temporal test server acquisition order', () => {
  const root = mkdtempSync(join(tmpdir(), 'test-server-routes-'));
  const emptyPath = join(root, 'empty-bin');
  mkdirSync(emptyPath);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('prefers TEMPORAL_TEST_SERVER, then a cached build, then a cached SDK download', () => {
    const explicit = script(join(root, 'explicit'), 'temporal-test-server', 'exit 0');
    const cache = join(root, 'cache');
    const jar = join(cache, 'lib', 'temporal-test-server.jar');
    mkdirSync(join(cache, 'lib'), { recursive: true });
    writeFileSync(jar, '');
    writeFileSync(join(cache, 'classpath.txt'), `${jar}\n`);
    script(cache, 'temporal-test-server', 'exit 0');
    const env = { PATH: emptyPath, TEMPORAL_TEST_SERVER_CACHE: cache };
    expect(findTemporalTestServer({ ...env, TEMPORAL_TEST_SERVER: explicit })).toEqual({
      path: explicit,
      source: 'TEMPORAL_TEST_SERVER',
    });
    expect(findTemporalTestServer(env)).toEqual({ path: join(cache, 'temporal-test-server'), source: 'cache' });

    // A wrapper whose jars are gone is no cache: the build would run again.
    rmSync(jar);
    expect(findTemporalTestServer(env)).toBeUndefined();
    const downloaded = script(join(cache, 'sdk-download', 'x'), 'temporal-test-server-sdk-typescript-1.24.0', 'exit 0');
    expect(findTemporalTestServer(env)).toEqual({ path: downloaded, source: 'cache' });
  });

  it('refuses a TEMPORAL_TEST_SERVER that is not executable instead of silently falling through', () => {
    expect(() => findTemporalTestServer({ TEMPORAL_TEST_SERVER: join(root, 'nope'), PATH: emptyPath })).toThrow(
      /not an executable/,
    );
  });

  it('builds with Maven into the cache a wrapper that runs TestServer with the arguments the SDK passes, then finds it there', async () => {
    const bin = join(root, 'toolchain');
    fakeToolchain(bin);
    const env = { PATH: bin, TEMPORAL_TEST_SERVER_CACHE: join(root, 'maven-cache') };
    const built = await ensureTemporalTestServer(env, () => undefined);
    expect(built).toEqual({ path: wrapperPath(env), source: 'maven' });
    expect(findTemporalTestServer(env)).toEqual({ path: wrapperPath(env), source: 'cache' });

    // The SDK spawns `<path> <port> [extraArgs…]` (sdk-core's ephemeral_server: `vec![port.to_string()]` + extra args).
    const run = spawnSync(built.path, ['41234', '--enable-time-skipping'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    const lib = join(env.TEMPORAL_TEST_SERVER_CACHE, 'lib');
    expect(run.stdout.trim()).toMatch(
      new RegExp(
        `-cp ${lib}/grpc-core-1.58.1.jar:${lib}/temporal-test-server-${TEMPORAL_TEST_SERVER_VERSION}.jar io.temporal.testserver.TestServer 41234 --enable-time-skipping$`,
      ),
    );
    expect(readFileSync(built.path, 'utf8')).toContain(`exec '${join(bin, 'java')}'`);
    // The stand-in java exits instead of listening, so no class archive was written and the wrapper names none.
    expect(readFileSync(built.path, 'utf8')).not.toContain('SharedArchiveFile');
  });

  it('fails with one message naming every route when nothing works (no java, no mvn, no download)', async () => {
    const env = { PATH: emptyPath, TEMPORAL_TEST_SERVER_CACHE: join(root, 'empty-cache'), HOME: root };
    const attempt = ensureTemporalTestServer(env, () => undefined);
    await expect(attempt).rejects.toBeInstanceOf(TemporalTestServerUnavailable);
    const message = await attempt.catch((e: Error) => e.message);
    for (const route of ['TEMPORAL_TEST_SERVER', 'cached build', 'Maven build', 'no `java`', 'SDK download'])
      expect(message).toContain(route);
  }, 120_000);
});
