import * as assert from 'node:assert/strict';
import { runCliCaptured, type CliRun } from '../../support/runCliCaptured';

function run(argv: string[]): Promise<CliRun> {
  return runCliCaptured(argv);
}

describe('cli/main', () => {
  it('prints usage on stdout and exits 0 when asked for help', async () => {
    const result = await run(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: backend-review <command>/);
    for (const command of ['review', 'personas', 'rules'])
      assert.match(result.stdout, new RegExp(`^  ${command} `, 'm'));
    assert.equal(result.stderr, '');
  });

  it('treats no command as a usage error: usage on stderr, exit 2', async () => {
    const result = await run([]);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^Usage: backend-review <command>/);
  });

  it('names an unknown command and lists the known ones', async () => {
    const result = await run(['reveiw']);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      'backend-review: unknown command "reveiw". Commands: review, personas, rules, merge, dismissals, eval.\n',
    );
  });

  for (const command of ['review', 'personas', 'rules']) {
    it(`reports an unknown flag of "${command}" in one clean line`, async () => {
      const result = await run([command, 'x.ts', '--bogus']);
      assert.equal(result.code, 2);
      assert.equal(result.stderr, `backend-review ${command}: Unknown option '--bogus'. (see --help)\n`);
    });
  }
});
