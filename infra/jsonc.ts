import { readFileSync } from 'node:fs';

/** Parses JSON with comments and trailing commas, as wrangler.jsonc is written (strings are left untouched). */
export function parseJsonc(text: string): unknown {
  let json = '';
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '"') {
      const end = endOfString(text, index);
      json += text.slice(index, end);
      index = end - 1;
    } else if (char === '/' && text[index + 1] === '/') {
      while (index < text.length && text[index] !== '\n') index++;
      json += '\n';
    } else if (char === '/' && text[index + 1] === '*') {
      index = text.indexOf('*/', index + 2) + 1;
    } else {
      json += char;
    }
  }
  return JSON.parse(json.replace(/,(\s*[}\]])/g, '$1'));
}

export function readJsoncFile(path: string): unknown {
  return parseJsonc(readFileSync(path, 'utf8'));
}

function endOfString(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
  return index + 1;
}
