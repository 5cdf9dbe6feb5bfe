import { readFileSync } from 'node:fs';

/**
 * A `.dockerignore`, matched as Docker's builder does for the patterns it allows here: each line a path relative to
 * the context root, `*` and `?` within one path segment, `**` across any number; a path is left out when it or a
 * folder above it matches (Docker reference, ".dockerignore file"). Exceptions (`!`) are refused, not half-supported.
 */
export function readDockerignore(path: string): (relativePath: string) => boolean {
  const patterns = readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const unsupported = patterns.filter((pattern) => pattern.startsWith('!'));
  if (unsupported.length > 0) throw new Error(`${path}: exceptions are not matched here: ${unsupported.join(', ')}`);
  const expressions = patterns.map((pattern) => new RegExp(`^${toExpression(pattern.replace(/^\/+|\/+$/g, ''))}$`));
  return (relativePath) => {
    const segments = relativePath.split('/');
    return segments.some((_, index) => {
      const prefix = segments.slice(0, index + 1).join('/');
      return expressions.some((expression) => expression.test(prefix));
    });
  };
}

function toExpression(pattern: string): string {
  let expression = '';
  for (let index = 0; index < pattern.length; index++) {
    const character = pattern[index];
    if (pattern.startsWith('**/', index)) {
      expression += '(?:.*/)?';
      index += 2;
    } else if (pattern.startsWith('**', index)) {
      expression += '.*';
      index += 1;
    } else if (character === '*') expression += '[^/]*';
    else if (character === '?') expression += '[^/]';
    else expression += character.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return expression;
}
