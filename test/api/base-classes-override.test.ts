// The base classes declare every optional method the README lists for components, so a
// subclass may (and under `noImplicitOverride` must) write `override` on it. The fixture
// overrides each one; compiled here with the project's compiler options, it must type-check.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/api/override-every-method.ts', import.meta.url));

function compile(file: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(`${ROOT}tsconfig.json`, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!config) throw new Error('cannot read tsconfig.json');
  const options = { ...config.options, noImplicitOverride: true, noEmit: true };
  const program = ts.createProgram([file], options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : null;
    return `${d.file?.fileName ?? ''}:${where ? where.line + 1 : 0} TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('base classes under noImplicitOverride', () => {
  it('BaseSpout, BaseBolt, BaseBasicBolt and BaseWindowedBolt accept `override` on every optional method', () => {
    expect(compile(FIXTURE)).toEqual([]);
  }, 60_000);
});
