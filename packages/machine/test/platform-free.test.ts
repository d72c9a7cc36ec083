import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../src');
const sources = readdirSync(SRC)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => ({ file, text: withoutComments(readFileSync(join(SRC, file), 'utf8')) }));

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

describe('packages/machine/src is platform-free', () => {
  it('has source files to check', () => {
    expect(sources.length).toBeGreaterThan(5);
  });

  it('imports no node:* module and no Node built-in by bare name', () => {
    const offenders = sources.filter(({ text }) =>
      /from\s+['"](node:|fs['"]|path['"]|os['"]|http['"]|crypto['"])|require\(/.test(text),
    );
    expect(offenders.map((s) => s.file)).toEqual([]);
  });

  it('uses no DOM global (window, document, localStorage, sessionStorage, navigator)', () => {
    const offenders = sources.filter(({ text }) =>
      /\b(window|document|localStorage|sessionStorage|navigator)\s*[.[]/.test(text),
    );
    expect(offenders.map((s) => s.file)).toEqual([]);
  });

  it('uses no Node global (process, Buffer, __dirname)', () => {
    const offenders = sources.filter(({ text }) =>
      /\b(process|Buffer|__dirname|__filename)\s*[.[(]/.test(text),
    );
    expect(offenders.map((s) => s.file)).toEqual([]);
  });
});
