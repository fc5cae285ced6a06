// Ready-to-run snippets per vendor, built from the manifest's base URL and credentials.
// Credential field names are looked up loosely so a vendor that names them a little differently still gets a snippet.

const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

/** The first credential whose key matches one of the patterns (top level only). */
function pick(creds, ...patterns) {
  for (const re of patterns) {
    for (const [k, v] of Object.entries(creds || {})) if (re.test(k) && (typeof v === 'string' || typeof v === 'number')) return String(v);
  }
  return undefined;
}

function crusoe(base, c) {
  const key = pick(c, /^accessKeyId$/i, /access.?key/i);
  const secret = pick(c, /^secretKey$/i, /secret/i);
  const org = pick(c, /^organizationId$/i, /org/i);
  const path = `/v1alpha5/organizations/${org}/audit-logs`;
  // Signs as crusoecloud/client-go does: path, canonical query, method, timestamp; HMAC-SHA256, URL-safe base64.
  const signed = [
    `node --input-type=module -e ${q(
      [
        `import { createHmac } from "node:crypto";`,
        `const base = ${JSON.stringify(base)}, key = ${JSON.stringify(key)}, secret = ${JSON.stringify(secret)};`,
        `const path = ${JSON.stringify(path)}, query = "limit=5";`,
        `const ts = new Date().toISOString().replace(/\\.\\d+Z$/, "Z");`,
        `const sig = createHmac("sha256", Buffer.from(secret, "base64url")).update(path + "\\n" + query + "\\n" + "GET\\n" + ts + "\\n").digest("base64url");`,
        `const res = await fetch(base + path + "?" + query, { headers: { "X-Crusoe-Timestamp": ts, Authorization: "Bearer 1.0:" + key + ":" + sig } });`,
        `console.log(res.status, await res.text());`,
        `if (!res.ok) process.exit(1);`,
      ].join('\n'),
    )}`,
  ].join('\n');
  return [{ label: 'Signed call (Node, no dependencies)', code: signed }];
}

function instaclustr(base, c) {
  const user = pick(c, /^username$/i, /user/i);
  const apiKey = pick(c, /^apiKey$/i, /^provisioningApiKey$/i, /^readOnlyProvisioningApiKey$/i, /api.?key/i, /key/i);
  return [{ label: 'curl (HTTP Basic)', code: `curl -sf -u ${q(`${user}:${apiKey}`)} ${q(`${base}/cluster-management/v2/operations/user-actions/v2?pageSize=5`)}` }];
}

function octopai(base, c) {
  const user = pick(c, /^(username|email)$/i, /user|email/i);
  const pass = pick(c, /^password$/i, /pass/i);
  const login = JSON.stringify({ Username: user, Password: pass });
  return [
    {
      label: 'curl (log in, then read UserEvents)',
      code: [
        `TOKEN=$(curl -sf -X POST -H 'content-type: application/json' -d ${q(login)} ${q(`${base}/api/UserAccount/Login`)} | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).accessToken')`,
        `curl -sf -H "Authorization: Bearer $TOKEN" ${q(`${base}/api/UserAccount/UserEvents?pageSize=5`)}`,
      ].join('\n'),
    },
  ];
}

function opsera(base, c) {
  // Opsera PATs are minted per emulator day; `tokens.api` is the current one with the audit-log scope.
  const token = (c && c.tokens && (c.tokens.api || c.tokens.securityLogs)) || pick(c, /^(token|accessToken|pat)$/i, /token/i);
  return [{ label: 'curl (personal access token)', code: `curl -sf -H ${q(`Authorization: Bearer ${token}`)} ${q(`${base}/api/v1/logs/user/actions`)}` }];
}

function k2(base, c) {
  const key = pick(c, /^(accessKeyId|awsAccessKeyId)$/i, /access.?key/i);
  const secret = pick(c, /^(secretAccessKey|awsSecretAccessKey)$/i, /secret/i);
  const region = pick(c, /^region$/i) || 'ru-msk';
  return [
    {
      label: 'AWS CLI',
      code: `AWS_ACCESS_KEY_ID=${q(key)} AWS_SECRET_ACCESS_KEY=${q(secret)} AWS_PAGER= aws cloudtrail lookup-events --region ${q(region)} --endpoint-url ${q(base)} --max-results 5`,
    },
  ];
}

const BUILDERS = { crusoe, instaclustr, octopai, opsera, k2 };

/** Snippets for one vendor; a generic reachability check for a vendor this page does not know yet. */
export function snippetsFor(id, vendor) {
  const build = BUILDERS[id];
  const out = build ? build(vendor.baseUrl, vendor.credentials) : [];
  return out.length ? out : [{ label: 'curl', code: `curl -s -i ${q(vendor.baseUrl + '/')}` }];
}
