import { describe, expect, it } from 'vitest';
import { canonicalQuery, parseRawQuery, queryEscape, signMessage, signingMessage } from '../../servers/crusoe/signature.js';

// Worked examples of Crusoe request signature v1.0 (canonical query, signing message, HMAC).
const SECRET = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';
const ORG = 'de8f27fe-8438-45e7-a2c2-a2767660625f';
const PATH = `/v1alpha5/organizations/${ORG}/audit-logs`;
const QUERY = 'actor_types=Crusoe+Admin&limit=20&start_time=2024-07-20T23%3A10%3A11Z&target_types=VM%2CKubernetesCluster';

const sig = (path: string, query: string, ts: string) => signMessage(SECRET, signingMessage(path, canonicalQuery(parseRawQuery(query)!), 'GET', ts));

describe('Crusoe signature v1.0', () => {
  it('(a) no query, Z timestamp', () => {
    expect(signingMessage(PATH, '', 'GET', '2024-07-21T23:10:11Z')).toBe(`${PATH}\n\nGET\n2024-07-21T23:10:11Z\n`);
    expect(sig(PATH, '', '2024-07-21T23:10:11Z')).toBe('Htvl7T_N56UoZxFgUa65wxAVkGytm0MigQx8O9Loz1M');
  });
  it('(b) no query, +00:00 timestamp', () => {
    expect(sig(PATH, '', '2024-07-21T23:10:11+00:00')).toBe('OnQoqUN4SFYw9ItD7mGuO6jh-z9hA349R8v9oa3k-M8');
  });
  it('(c) with filters', () => {
    expect(canonicalQuery(parseRawQuery(QUERY)!)).toBe(QUERY);
    expect(sig(PATH, QUERY, '2024-07-21T23:10:11Z')).toBe('BrnOeerTCd4Yxpov_4TI1GSd-9Q9ZmdAfBCvsV5tKj4');
    expect(sig(PATH, QUERY, '2024-07-21T23:10:11+00:00')).toBe('0gv3Uh0IDtJvnbr0TZWoatNLNt_5BcAa6JaylvJQ4fM');
  });
  it('(d) /v1 prefix', () => {
    const v1 = `/v1/organizations/${ORG}/audit-logs`;
    expect(sig(v1, '', '2024-07-21T23:10:11Z')).toBe('uJHT7aFU6JaGZnsiY6vd5CEcOOQwpM_Sem2h3BfcGk0');
    expect(sig(v1, QUERY, '2024-07-21T23:10:11Z')).toBe('pdzfE6w5zjD4wiSMdIugsZAxLUPsmcxwpEfhQbgEIy4');
  });
  it('(e) the wrong variants give other signatures', () => {
    const unescaped = 'actor_types=Crusoe Admin&limit=20&start_time=2024-07-20T23:10:11Z&target_types=VM,KubernetesCluster';
    expect(signMessage(SECRET, signingMessage(PATH, unescaped, 'GET', '2024-07-21T23:10:11Z'))).toBe('yKohrRGbF8DG4UdWmkcLUkdni9lL1UNHmDnLhasdg2M');
    expect(sig(`/organizations/${ORG}/audit-logs`, QUERY, '2024-07-21T23:10:11Z')).toBe('dVmNYD-uCZxXLb6nqT-A7pr7R574Tib0hD0z_9986PY');
  });
  it('canonicalises any order, repeated keys and escapes', () => {
    expect(canonicalQuery(parseRawQuery('b=2&a=x%2Cy&b=1&c')!)).toBe('a=x%2Cy&b=2&b=1&c=');
    expect(queryEscape('a b:+/@~')).toBe('a+b%3A%2B%2F%40~');
    expect(parseRawQuery('a=1;b=2')).toBeNull();
    expect(parseRawQuery('a=%zz')).toBeNull();
  });
});

describe('form decoding', () => {
  it('decodes escapes, plus signs and raw non-ASCII like Go', async () => {
    const { formDecode } = await import('../../servers/crusoe/signature.js');
    expect(formDecode('a+b%2Bc')).toBe('a b+c');
    expect(formDecode('%E2%9C%93')).toBe('✓');
    expect(formDecode('caf%C3%A9 ✓ 😀%21')).toBe('café ✓ 😀!');
    expect(formDecode('bad%2')).toBeNull();
  });
});
