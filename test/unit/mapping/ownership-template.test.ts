/** The default template's owners and the built-in ownership table the edit-after-onboarding workflow uses agree. */
import { activeMapping } from '../../../domain/mapping/active-mapping';
import { classifyFieldChange, ownerInTemplate, TEMPLATE_FIELD_PATHS } from '../../../domain/ownership';

describe('ownership from the mapping template', () => {
  const mapping = activeMapping();

  test.each(Object.entries(TEMPLATE_FIELD_PATHS))('%s (%s): template owner = built-in owner', (_entry, path) => {
    expect(ownerInTemplate(mapping, path)).toBe(classifyFieldChange(path));
  });

  test('a template that hands a field to the other system changes its owner', () => {
    const edited = {
      ...mapping,
      fields: { ...mapping.fields, phone: { ...mapping.fields.phone, owner: 'netsuite' as const } },
    };
    expect(ownerInTemplate(edited, 'person.phones')).toBe('netsuite');
    expect(ownerInTemplate(edited, 'organization.address.city')).toBe('netsuite');
    expect(ownerInTemplate(edited, 'deal.title')).toBe(classifyFieldChange('deal.title'));
  });
});
