/**
 * SuiteQL has no bind parameters over REST, so user data (company names like O'Brien's) must become string literals
 * safely: Oracle syntax, single quotes doubled, nothing else is special (a backslash is an ordinary character).
 */
export function sqlString(value: string): string {
  // A NUL would end the statement early in some drivers; NetSuite text fields never contain one.
  return `'${value.replace(/\0/g, '').replace(/'/g, "''")}'`;
}
