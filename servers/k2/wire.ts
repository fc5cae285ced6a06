/** Pieces of K2's wire formats that answers and errors share. */

export const JSON11 = 'application/x-amz-json-1.1';

export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
