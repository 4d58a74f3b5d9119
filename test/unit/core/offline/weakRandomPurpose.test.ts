import * as assert from 'node:assert/strict';
import type { OfflineConfig } from '../../../../src/core/offline';
import { isFakeDataModule, randomBuildsSecret } from '../../../../src/core/offline/syntax';
import { hits } from './helpers';

const base: OfflineConfig = { mode: 'backendpe' };
const rule = async (path: string, text: string): Promise<string[]> =>
  (await hits(path, text, base)).filter((hit) => hit.endsWith('weak-random-secret'));

describe('offline checks: weak-random-secret reads what the random value is for', () => {
  it('reports a code a service hands out to reach something (a share link, a room, an invitation)', async () => {
    const service = [
      "const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';",
      'export class LinkService {',
      '  private makeShareCode(): string {',
      "    let out = '';",
      '    for (let i = 0; i < 10; i++) out += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];', // 5
      '    return out;',
      '  }',
      '  private generateShortCodeID(): string {',
      '    return Math.random().toString(36).slice(2, 14);', // 9
      '  }',
      '}',
      '',
    ].join('\n');
    assert.deepEqual(await rule('src/links/link.service.ts', service), [
      '5 weak-random-secret',
      '9 weak-random-secret',
    ]);
  });

  it('leaves codes that classify rather than grant, and random suffixes of public slugs', async () => {
    const text = [
      'export function randomStatusCode(): number {',
      '  return 200 + Math.floor(Math.random() * 4);',
      '}',
      'export function generateColorCode(): string {',
      "  return '#' + Math.floor(Math.random() * 0xffffff).toString(16);",
      '}',
      'export function slugify(title: string): string {',
      "  return title.toLowerCase() + '-' + Math.floor(Math.random() * 1e6).toString(36);",
      '}',
      '',
    ].join('\n');
    assert.deepEqual(await rule('src/util.ts', text), []);
  });

  it("leaves a fake-data generator's random password alone; the same password maker elsewhere is reported", async () => {
    const generator = (extra: string[]): string =>
      [
        ...extra,
        'export function makePassword(): string {',
        "  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';",
        "  let password = '';",
        '  for (let i = 0; i < 12; i++) password += chars.charAt(Math.floor(Math.random() * chars.length));',
        '  return password;',
        '}',
        '',
      ].join('\n');
    const fakeKinds = [
      'export const variables = { $randomFirstName: pickName, $randomCity: pickCity, $randomEmail: pickEmail };',
    ];
    assert.deepEqual(await rule('src/variables.ts', generator(fakeKinds)), []);
    assert.deepEqual(await rule('src/seedUsers.ts', generator(["import { faker } from '@faker-js/faker';"])), []);
    // Two kinds of fake data are not enough to call the module a fake-data generator.
    const twoKinds = ['export const variables = { $randomFirstName: pickName, $randomCity: pickCity };'];
    assert.deepEqual(await rule('src/variables.ts', generator(twoKinds)), ['5 weak-random-secret']);
    assert.deepEqual(await rule('src/auth/password.ts', generator([])), ['4 weak-random-secret']);
  });

  it('applies to Python and Go the same way', async () => {
    const py = [
      'import random',
      'from faker import Faker',
      '',
      'def fake_user():',
      '    token = "".join(random.choice("abcdef0123456789") for _ in range(16))',
      '    return token',
      '',
    ].join('\n');
    assert.deepEqual(await rule('app/demo_data.py', py), []);
    assert.deepEqual(await rule('app/tokens.py', py.replace('from faker import Faker\n', '')), [
      '4 weak-random-secret',
    ]);
    const go = [
      'package invites',
      '',
      'import "math/rand"',
      '',
      'func newInviteCode() string {',
      '\treturn string(rune(rand.Intn(26) + 65))',
      '}',
      '',
    ].join('\n');
    assert.deepEqual(await rule('internal/invites/codes.go', go), ['6 weak-random-secret']);
  });

  it('judges names and modules', () => {
    assert.equal(randomBuildsSecret('result', 'generateShortCodeID'), true);
    assert.equal(randomBuildsSecret(undefined, 'createRoomCode'), true);
    assert.equal(randomBuildsSecret(undefined, 'randomCountryCode'), false);
    assert.equal(randomBuildsSecret(undefined, 'parseCode'), false);
    // The length of a code is not the code.
    assert.equal(randomBuildsSecret('length', 'generateCodeVerifier'), false);
    assert.equal(isFakeDataModule('const a = { fakeEmail, fake_phone_number, fakeCompany };'), true);
    assert.equal(isFakeDataModule('const a = { randomName, randomNameAgain, fakeEmail };'), false);
  });
});
