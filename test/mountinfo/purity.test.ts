// src/mountinfo stays usable by the model: only the file-reading module imports node:*.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dir = new URL('../../src/mountinfo/', import.meta.url);
const pure = readdirSync(dir).filter((name) => name.endsWith('.ts') && name !== 'read.ts');

describe('src/mountinfo imports', () => {
  it('has pure modules to check', () => {
    expect(pure).toEqual(expect.arrayContaining(['index.ts', 'parse.ts', 'render.ts', 'normalize.ts']));
  });

  it.each(pure)('%s imports nothing from node:* and not read.ts', (name) => {
    const source = readFileSync(new URL(name, dir), 'utf8');
    expect(source).not.toMatch(/from ['"]node:|require\(|import\(['"]node:/);
    expect(source).not.toMatch(/from ['"]\.\/read\.js['"]/);
  });
});
