/**
 * The `topo` command line. Commands parse flags and call into the runtime; no logic here.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { addDataCommands } from './commands-data.js';
import { addJobCommands } from './commands-jobs.js';
import { addViewCommands } from './commands-views.js';
import { addRedisTlsFlags } from './redis-flags.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command('topo')
    .description('Storm-style stream topologies on Node.js worker threads')
    .version(version())
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  const done = (c: number): void => {
    code = c;
  };
  addJobCommands(program, done);
  addViewCommands(program, done);
  addDataCommands(program, done);

  addRedisTlsFlags(program);
  // On every command, not the program: a program option would take serve's own --verbose.
  for (const c of program.commands) {
    if (!c.options.some((o) => o.long === '--verbose')) c.option('--verbose', 'show the stack trace behind an error (errors are otherwise told by their message and the line of your file alone)');
  }

  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every parse error is bad usage.
      return err.exitCode === 0 ? 0 : 2;
    }
    const { errorExit } = await import('./run.js');
    const { code: exit, message } = errorExit(err, argv.includes('--verbose'));
    process.stderr.write(`topo: ${message}\n`);
    return exit;
  }
}
