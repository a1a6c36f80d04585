/** The mapping template's start-up validation: the default parses; a wrong template names every wrong entry by path and line. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { fieldAliases, DEAL_FIELDS, ORGANIZATION_FIELDS } from '../../../domain/pipedrive-fields';
import { DEFAULT_MAPPING_FILE, MappingError, loadMappingFile, parseMappingText } from '../../../runtime/mapping-loader';
import { ConfigError } from '../../../runtime/config';
import { loadConfig } from '../../../runtime/load-config';

const defaultText = readFileSync(DEFAULT_MAPPING_FILE, 'utf8');

/** The default template with one entry changed (yaml's own document model, so the rest stays as written). */
function edited(edit: (doc: ReturnType<typeof parseDocument>) => void): string {
  const doc = parseDocument(defaultText);
  edit(doc);
  return doc.toString();
}

function issuesOf(text: string): string[] {
  try {
    parseMappingText(text, 'test.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(MappingError);
    return (err as MappingError).message
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
  }
  throw new Error('expected the template to be refused');
}

describe('mapping template', () => {
  test('the default template parses, and every canonical field has a comment above it', () => {
    const m = loadMappingFile(DEFAULT_MAPPING_FILE);
    expect(m.pipedrive.contractSignedStage).toBe('Contract Signed');
    expect(Object.keys(m.fields).sort()).toEqual(
      [
        'address',
        'attribution',
        'billingOwner',
        'companyName',
        'contact',
        'csm',
        'currency',
        'email',
        'invoiceDate',
        'package',
        'phone',
        'subsidiary',
        'taxId',
        'terms',
        'timeToValue',
      ].sort(),
    );
    for (const name of Object.keys(m.fields)) expect(defaultText).toMatch(new RegExp(`# [^\\n]+\\n  ${name}:`));
    expect(m.hash).toMatch(/^[0-9a-f]{16}$/);
  });

  test('the hash ignores comments and key order but not values', () => {
    const base = parseMappingText(defaultText).hash;
    expect(parseMappingText(`# another comment\n${defaultText.replace(/ {2}# Customer name[^\n]*\n/, '')}`).hash).toBe(
      base,
    );
    expect(parseMappingText(edited((d) => d.setIn(['fields', 'terms', 'default'], 'Net 15'))).hash).not.toBe(base);
  });

  test('one message names each wrong entry by its path, its line and what it expects', () => {
    const text = edited((d) => {
      d.setIn(['fields', 'terms', 'source', 'from'], 'company');
      d.deleteIn(['fields', 'csm']);
      d.setIn(['fields', 'package', 'target', 'custom'], 'onboarding_code');
      d.setIn(['fields', 'companyName', 'maxLength'], 'eighty');
      d.setIn(['fields', 'email', 'sorce'], 'x');
      d.setIn(['fields', 'phone', 'source', 'standard'], 'mobile');
    });
    const issues = issuesOf(text);
    const line = (path: string) => issues.find((i) => i.startsWith(`${path} (line `) || i.startsWith(`${path}:`));
    expect(line('fields.terms.source.from')).toMatch(/\(line \d+\): one of deal \| organization \| person/);
    expect(line('fields.csm')).toMatch(/missing: an entry is required here/);
    expect(line('fields.package.target.custom')).toMatch(/custentity_ followed by/);
    expect(line('fields.companyName.maxLength')).toMatch(/a whole number of characters/);
    expect(line('fields.email')).toMatch(/no such entry \(sorce\)/);
    expect(line('fields.phone.source.standard')).toMatch(/a standard person field: name \| first_name/);
    expect(issues).toHaveLength(6);
  });

  test('a value map must name a package the template defines', () => {
    const issues = issuesOf(edited((d) => d.setIn(['fields', 'package', 'values'], { Gold: 'PLATINUM' })));
    expect(issues).toEqual([
      expect.stringMatching(
        /^fields\.package\.values\.Gold \(line \d+\): a package code defined under fields\.package\.packages: STARTER \| GROWTH \| ENTERPRISE$/,
      ),
    ]);
  });

  test('a source must name exactly one of standard, field or key', () => {
    const issues = issuesOf(
      edited((d) =>
        d.setIn(['fields', 'taxId', 'source'], { from: 'organization', field: 'Tax ID', key: 'f'.repeat(40) }),
      ),
    );
    expect(issues).toEqual([expect.stringMatching(/^fields\.taxId\.source \(line \d+\): exactly one of standard/)]);
  });

  test('two fields may not write the same NetSuite target', () => {
    const issues = issuesOf(edited((d) => d.setIn(['fields', 'csm', 'target', 'custom'], 'custentity_billing_owner')));
    expect(issues).toEqual([expect.stringMatching(/^fields\.csm\.target.*already used by fields\.billingOwner/)]);
  });

  test('YAML that does not parse is reported with its line', () => {
    expect(issuesOf('version: 1\nfields: [\n')).toEqual([expect.stringMatching(/^\(yaml\) \(line \d+\): valid YAML/)]);
  });

  test('start-up: a wrong MAPPING_FILE stops loadConfig with a ConfigError naming the entry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mapping-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      edited((d) => d.deleteIn(['pipedrive', 'contractSignedStage'])),
    );
    expect(() => loadConfig({ MAPPING_FILE: file })).toThrow(ConfigError);
    expect(() => loadConfig({ MAPPING_FILE: file })).toThrow(/pipedrive\.contractSignedStage \(line \d+\): missing/);
    expect(() => loadConfig({ MAPPING_FILE: join(dir, 'absent.yaml') })).toThrow(/a readable YAML file \(ENOENT\)/);
  });

  test("aliases point the code's canonical fields at the company's own Pipedrive fields", () => {
    const m = parseMappingText(
      edited((d) => {
        d.setIn(['fields', 'csm', 'source'], { from: 'deal', field: 'Account manager' });
        d.setIn(['fields', 'taxId', 'source'], { from: 'organization', key: 'a'.repeat(40) });
        d.setIn(['fields', 'terms', 'source'], { from: 'deal', field: 'Terms' });
      }),
    );
    const a = fieldAliases(m);
    expect(a.deal.get(DEAL_FIELDS.csm)).toEqual({ name: 'Account manager' });
    expect(a.organization.get(ORGANIZATION_FIELDS.taxId)).toEqual({ key: 'a'.repeat(40) });
    // Read from the deal, so the organization's canonical "Payment terms" has no field of its own.
    expect(a.organization.has(ORGANIZATION_FIELDS.paymentTerms)).toBe(false);
  });
});
