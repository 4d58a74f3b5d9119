import * as assert from 'node:assert/strict';
import { posix, win32 } from 'node:path';
import { neighbourFiles } from '../../../../src/vscode/common/neighbourFiles';

describe('neighbourFiles: the open files to check again after files changed on disk', () => {
  const open = ['/w/shop/orders.go', '/w/shop/carts.go', '/w/shop/sub/lines.go', '/w/billing/pay.go'];

  it('gives the open files beside the changed ones once, leaving the changed files out', () => {
    // A checkout touching three files of one folder: each open neighbour once, not once per change.
    assert.deepEqual(
      neighbourFiles(['/w/shop/carts.go', '/w/shop/a.go', '/w/shop/b.go'], [...open, '/w/shop/orders.go'], posix),
      ['/w/shop/orders.go'],
    );
    assert.deepEqual(neighbourFiles(['/w/billing/tax.go'], open, posix), ['/w/billing/pay.go']);
    // Near-misses: a subfolder is not beside; a folder whose name starts with the changed one's is not below.
    assert.deepEqual(neighbourFiles(['/w/shop/x.go'], ['/w/shop/sub/lines.go', '/w/shopping/y.go'], posix), []);
  });

  it('gives the open files below a changed go.mod', () => {
    assert.deepEqual(neighbourFiles(['/w/shop/go.mod'], [...open, '/w/shopping/y.go'], posix), [
      '/w/shop/orders.go',
      '/w/shop/carts.go',
      '/w/shop/sub/lines.go',
    ]);
  });

  it('reads Windows paths by their own rules', () => {
    assert.deepEqual(
      neighbourFiles(['C:\\w\\shop\\go.mod'], ['C:\\w\\shop\\sub\\lines.go', 'C:\\w\\shopping\\y.go'], win32),
      ['C:\\w\\shop\\sub\\lines.go'],
    );
  });
});
