/** Text made safe inside HTML (the ops card, Pipedrive deal notes): the five characters that could open markup, as numeric references. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
