import * as assert from 'node:assert/strict';
import { fixApplies } from '../../../../src/vscode/common/fixPlans';
import { FindingStore, keepOnClose, restoreFromDisk } from '../../../../src/vscode/common/findingStore';
import { contentHash, toPublished } from '../../../../src/vscode/common/publishedFindings';
import { InMemoryKeyValueStore } from '../../../support/inMemoryStores';
import { finding, secretFinding, text } from './findingFixtures';

describe('vscode/findingStore', () => {
  describe('secrets in stored findings', () => {
    it('keeps secrets out of what the store writes to workspaceState', async () => {
      const state = new InMemoryKeyValueStore();
      const store = new FindingStore(state);
      const fixText = 'const apiKey = "abc123-real-key";';
      const published = toPublished(
        [
          secretFinding({
            quote: '',
            startLine: 1,
            endLine: 1,
            fix: { startLine: 1, endLine: 1, replacement: 'const apiKey = process.env.API_KEY;' },
          }),
        ],
        { text: fixText, relativePath: 'src/db.ts', mode: 'pragmatic' },
      );
      await store.save('file:///db.ts', fixText, published);
      const written = JSON.stringify(state.keys().map((key) => state.get(key)));
      assert.ok(!written.includes('abc123-real-key'), written);
      assert.equal(fixApplies(store.load('file:///db.ts', fixText)![0], fixText), true);
    });

    it('removes entries an older version stored with the reviewed lines', async () => {
      const state = new InMemoryKeyValueStore();
      await state.update('backendReviewer.findings.v1:file:///old.ts', {
        hash: 'x',
        savedAt: 1,
        findings: [{ reviewedFixText: 'const password = "hunter2";' }],
      });
      await new FindingStore(state).save(
        'file:///a.ts',
        text,
        toPublished([finding()], { text, relativePath: 'src/a.ts', mode: 'pragmatic' }),
      );
      assert.deepEqual(
        state.keys().filter((key) => key.includes('findings.v1')),
        [],
      );
    });
  });

  describe('FindingStore', () => {
    it('restores findings only while the text is unchanged', async () => {
      const store = new FindingStore(new InMemoryKeyValueStore());
      const published = toPublished([finding()], { text, relativePath: 'src/a.ts', mode: 'pragmatic' });
      await store.save('file:///a.ts', text, published);
      assert.deepEqual(store.load('file:///a.ts', text), published);
      assert.equal(store.load('file:///a.ts', `${text}\n`), undefined);
      assert.deepEqual(store.uris(), ['file:///a.ts']);
      await store.save('file:///a.ts', text, []);
      assert.equal(store.load('file:///a.ts', text), undefined);
    });

    it('keeps only the most recent files', async () => {
      let now = 0;
      const store = new FindingStore(new InMemoryKeyValueStore(), 2, () => ++now);
      const published = toPublished([finding()], { text, relativePath: 'src/a.ts', mode: 'pragmatic' });
      for (const name of ['a', 'b', 'c']) await store.save(`file:///${name}.ts`, text, published);
      assert.deepEqual(store.uris().sort(), ['file:///b.ts', 'file:///c.ts']);
      await store.clear();
      assert.deepEqual(store.uris(), []);
    });
  });

  describe('restoring stored findings against the disk', () => {
    async function storeWith(): Promise<FindingStore> {
      const store = new FindingStore(new InMemoryKeyValueStore());
      await store.save(
        'file:///a.ts',
        text,
        toPublished([finding()], { text, relativePath: 'src/a.ts', mode: 'pragmatic' }),
      );
      return store;
    }

    it('restores them when the disk text is the stored one and no editor holds other text', async () => {
      const store = await storeWith();
      const decision = restoreFromDisk(store, 'file:///a.ts', text, { shown: false, openText: undefined });
      assert.equal(decision.action, 'restore');
      assert.equal(decision.action === 'restore' && decision.findings.length, 1);
      assert.equal(restoreFromDisk(store, 'file:///a.ts', text, { shown: false, openText: text }).action, 'restore');
    });

    it('skips a file open with unsaved edits, keeping the stored findings for the disk text', async () => {
      const store = await storeWith();
      assert.deepEqual(restoreFromDisk(store, 'file:///a.ts', text, { shown: false, openText: `// edited\n${text}` }), {
        action: 'skip',
      });
      assert.ok(store.load('file:///a.ts', text));
    });

    it('skips a file whose findings were published while the disk was read', async () => {
      assert.deepEqual(restoreFromDisk(await storeWith(), 'file:///a.ts', text, { shown: true, openText: undefined }), {
        action: 'skip',
      });
    });

    it('removes them when the disk text changed', async () => {
      assert.deepEqual(
        restoreFromDisk(await storeWith(), 'file:///a.ts', `${text}\n// more`, { shown: false, openText: undefined }),
        { action: 'remove' },
      );
    });
  });

  describe('keepOnClose', () => {
    it('keeps findings that belong to the text on disk', () => {
      assert.equal(keepOnClose(contentHash(text), text), true);
    });

    it('drops findings that followed unsaved edits, belong to other text, or whose file is gone', () => {
      assert.equal(keepOnClose(null, text), false);
      assert.equal(keepOnClose(contentHash(`${text}\nunsaved`), text), false);
      assert.equal(keepOnClose(contentHash(text), undefined), false);
    });
  });
});
