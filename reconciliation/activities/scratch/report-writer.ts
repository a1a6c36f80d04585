/**
 * Writes the stored report (`reconciliation-<ISO>.{json,txt}`) from the scratch file a problem at a time, byte for
 * byte what the in-memory path writes (`JSON.stringify(report, null, 2)` and formatReconciliationReport), so the ops
 * card, `npm run cli -- report` and anyone reading the files see no difference. Both files are written to temporary
 * names at 0600 and renamed into place whole. Gathers on the way the Slack digest (the first few problem lines).
 */
import { chmodSync, closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { problemLine, MAX_LISTED_PROBLEMS, type ReportDigest } from '../report-slack';
import {
  customerWithoutDealLine,
  duplicateLine,
  fieldMismatchLines,
  missingCustomerLine,
  reportHeaderLines,
  SECTION_TITLES,
} from '../../model/reconciliation';
import { PRIVATE_FILE_MODE } from '../../../runtime/private-files';
import {
  customersWithoutDeal,
  duplicates,
  fieldMismatches,
  missingCustomers,
  type ComparedScratch,
} from './scratch-compare';
import type { ScratchDb } from './scratch-db';

export interface StartedOnboarding {
  dealId: string;
  externalId: string;
  outcome: 'started' | 'already-known';
}

/** A file written through a 64 KB buffer, renamed into place on `commit`. */
class BufferedFile {
  private fd: number;
  private chunks: string[] = [];
  private size = 0;
  private readonly tmp: string;
  constructor(private readonly path: string) {
    this.tmp = `${path}.${process.pid}.tmp`;
    this.fd = openSync(this.tmp, 'w', PRIVATE_FILE_MODE);
    chmodSync(this.tmp, PRIVATE_FILE_MODE);
  }
  write(s: string): void {
    this.chunks.push(s);
    this.size += s.length;
    if (this.size >= 65_536) this.flush();
  }
  private flush(): void {
    if (this.chunks.length) writeSync(this.fd, this.chunks.join(''));
    this.chunks = [];
    this.size = 0;
  }
  commit(): void {
    this.flush();
    closeSync(this.fd);
    renameSync(this.tmp, this.path);
  }
}

/** `JSON.stringify(value, null, 2)` of an array element at depth 2. */
const element = (value: unknown): string => `    ${JSON.stringify(value, null, 2).replace(/\n/g, '\n    ')}`;

export function writeReportFromScratch(
  s: ScratchDb,
  compared: ComparedScratch & { generatedAt: string },
  paths: { jsonPath: string; textPath: string },
  /** When missing onboardings were started: their outcomes, read in order from the scratch file. */
  starts: { started: number; total: number; rows: () => Iterable<StartedOnboarding> } | undefined,
): ReportDigest {
  const json = new BufferedFile(paths.jsonPath);
  const text = new BufferedFile(paths.textPath);
  const firstProblems: string[] = [];
  const note = (line: string): void => {
    if (firstProblems.length < MAX_LISTED_PROBLEMS) firstProblems.push(line);
  };
  const { generatedAt, threshold, counts, mismatchRate, alert } = compared;
  const head = { generatedAt, threshold, counts, mismatchRate, alert };
  json.write(JSON.stringify(head, null, 2).slice(0, -2));
  for (const line of reportHeaderLines(head)) text.write(`${line}\n`);

  const section = <T>(
    name: string,
    items: Iterable<T>,
    textLines: (item: T) => string[],
    slackLine?: (item: T) => string,
  ): void => {
    json.write(`,\n  "${name}": [`);
    let first = true;
    for (const item of items) {
      json.write(`${first ? '' : ','}\n${element(item)}`);
      first = false;
      for (const line of textLines(item)) text.write(`${line}\n`);
      if (slackLine) note(slackLine(item));
    }
    json.write(first ? ']' : '\n  ]');
  };
  text.write(`${SECTION_TITLES.missingCustomers(counts.missingCustomers)}\n`);
  section('missingCustomers', missingCustomers(s), (m) => [missingCustomerLine(m)], problemLine.missingCustomer);
  text.write(`${SECTION_TITLES.customersWithoutDeal(counts.customersWithoutDeal)}\n`);
  section(
    'customersWithoutDeal',
    customersWithoutDeal(s),
    (c) => [customerWithoutDealLine(c)],
    problemLine.customerWithoutDeal,
  );
  text.write(`${SECTION_TITLES.fieldMismatches(counts.fieldMismatches)}\n`);
  section('fieldMismatches', fieldMismatches(s), fieldMismatchLines, problemLine.fieldMismatch);
  text.write(`${SECTION_TITLES.duplicates(counts.duplicates)}\n`);
  section('duplicates', duplicates(s), (d) => [duplicateLine(d)], problemLine.duplicate);
  if (starts) {
    text.write(`\nOnboardings started for missing customers (${starts.started} of ${starts.total}):\n`);
    section('startedOnboardings', starts.rows(), (x) => [`  deal ${x.dealId} ${x.externalId}: ${x.outcome}`]);
  }
  json.write('\n}\n');
  json.commit();
  text.commit();
  const problemCount =
    counts.missingCustomers + counts.customersWithoutDeal + counts.fieldMismatches + counts.duplicates;
  return { generatedAt, threshold, mismatchRate, alert, counts, firstProblems, problemCount };
}
