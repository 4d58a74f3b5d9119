import * as assert from 'node:assert/strict';
import type { OfflineConfig } from '../../../../src/core/offline';
import { hits } from './helpers';

const base: OfflineConfig = { mode: 'backendpe' };

describe('offline checks: Python command-injection follows subprocess under the names a file imports it by', () => {
  it('imported functions, aliases and an aliased module run shells as subprocess.X does; lists and fixed text do not', async () => {
    const text = [
      'from subprocess import Popen, run as sh_run', // 1
      'from subprocess import (',
      '    check_output,',
      '    getoutput,',
      ')',
      'import subprocess as sp',
      '',
      'def restart(service):', // 8
      '    Popen(f"systemctl restart {service}", shell=True)', // 9
      '    sh_run("echo " + service, shell=True)', // 10
      '    check_output("ls " + service, shell=True)', // 11
      '    getoutput("cat " + service)', // 12
      '    sp.call("rm -rf " + service, shell=True)', // 13
      '    Popen(["systemctl", "restart", service])', // 14: an argument list
      '    sh_run("uptime", shell=True)', // 15: fixed text
      '    run("echo " + service, shell=True)', // 16: a run this file did not import from subprocess
      '',
    ].join('\n');
    assert.deepEqual(await hits('app/services.py', text, base), [
      '9 command-injection',
      '10 command-injection',
      '11 command-injection',
      '12 command-injection',
      '13 command-injection',
    ]);
  });
});
