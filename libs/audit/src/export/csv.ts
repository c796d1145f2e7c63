/**
 * Spreadsheets execute cells that start with these characters as formulas (CSV injection,
 * OWASP). Such cells get a leading apostrophe, which spreadsheets show as text; tab and CR are
 * included because some spreadsheets strip them and then read the next character.
 */
const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r']);

export function defuseCsvCell(value: string): string {
  return value.length > 0 && FORMULA_TRIGGERS.has(value[0]) ? `'${value}` : value;
}

/** One RFC 4180 field: defused, then quoted when it holds a quote, comma or line break. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = defuseCsvCell(String(value));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: (string | number | null)[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
