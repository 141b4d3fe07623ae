/**
 * CSV cells as Warden writes them (RFC 4180), neutralised against CSV
 * injection as OWASP describes: a cell starting with =, +, -, @, a tab or
 * a carriage return would be read by a spreadsheet as a formula (or
 * swallow its lead character), so it gets a leading single quote and is
 * always quoted. Every CSV the product writes goes through csvCell.
 * https://owasp.org/www-community/attacks/CSV_Injection
 */

/** Characters that make a spreadsheet evaluate (or mangle) a cell. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** True when a cell's text would be taken for a formula. */
export function isFormulaLike(text: string): boolean {
  return FORMULA_START.test(text);
}

/** One cell: null/undefined empty, objects as JSON, formula-like text neutralised, quoted when needed. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = typeof value === "object" ? JSON.stringify(value) : String(value);
  const neutralise = isFormulaLike(text);
  if (neutralise) text = "'" + text;
  return neutralise || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record (CRLF-terminated). */
export function csvRow(values: readonly unknown[]): string {
  return values.map(csvCell).join(",") + "\r\n";
}
