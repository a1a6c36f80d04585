/**
 * `doctor`'s checklist: each check prints one line the moment it finishes (✓ pass, ✗ fail with the exact fix, ! warn,
 * - skipped because what it needs failed first), so a slow vendor shows where it is. The whole list is the JSON.
 */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface CheckResult {
  group: string;
  title: string;
  status: CheckStatus;
  detail?: string;
  /** What to do, exactly (fail and warn). */
  fix?: string;
  /** What `--fix` changed. */
  fixed?: string;
  ms: number;
}

const MARK: Record<CheckStatus, string> = { pass: '✓', fail: '✗', warn: '!', skip: '-' };

export class DoctorReport {
  readonly results: CheckResult[] = [];
  private group = '';

  constructor(private readonly out: { write(s: string): unknown }) {}

  section(name: string): void {
    this.group = name;
    this.out.write(`\n${name}\n`);
  }

  /** Runs one check; a thrown error is that check's failure (with its message), never the end of the run. */
  async check(
    title: string,
    run: () => Promise<Omit<CheckResult, 'group' | 'title' | 'ms'>>,
    fixOnError?: string,
  ): Promise<CheckResult> {
    const started = Date.now();
    let result: CheckResult;
    try {
      result = { group: this.group, title, ...(await run()), ms: Date.now() - started };
    } catch (err) {
      result = {
        group: this.group,
        title,
        status: 'fail',
        detail: (err as Error).message.split('\n')[0]!.slice(0, 300),
        ...(fixOnError ? { fix: fixOnError } : {}),
        ms: Date.now() - started,
      };
    }
    this.add(result);
    return result;
  }

  /** A check whose outcome is already known (e.g. skipped for a missing prerequisite). */
  add(result: CheckResult): void {
    this.results.push(result);
    const detail = result.detail ? ` — ${result.detail}` : '';
    this.out.write(`  ${MARK[result.status]} ${result.title}${detail} (${result.ms} ms)\n`);
    if (result.fixed) this.out.write(`      fixed: ${result.fixed}\n`);
    if (result.fix && (result.status === 'fail' || result.status === 'warn'))
      this.out.write(`      fix: ${result.fix}\n`);
  }

  skip(title: string, why: string): void {
    this.add({ group: this.group, title, status: 'skip', detail: why, ms: 0 });
  }

  get failed(): CheckResult[] {
    return this.results.filter((r) => r.status === 'fail');
  }

  summary(): string {
    const count = (s: CheckStatus) => this.results.filter((r) => r.status === s).length;
    return `\n${count('pass')} passed, ${count('fail')} failed, ${count('warn')} warnings, ${count('skip')} skipped\n`;
  }
}

export const pass = (detail?: string): Omit<CheckResult, 'group' | 'title' | 'ms'> => ({
  status: 'pass',
  ...(detail ? { detail } : {}),
});
export const fail = (detail: string, fix: string): Omit<CheckResult, 'group' | 'title' | 'ms'> => ({
  status: 'fail',
  detail,
  fix,
});
export const warn = (detail: string, fix: string): Omit<CheckResult, 'group' | 'title' | 'ms'> => ({
  status: 'warn',
  detail,
  fix,
});
