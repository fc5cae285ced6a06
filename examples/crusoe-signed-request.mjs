// A signed Crusoe audit-log request written from Crusoe's docs, with no dependencies:
//   npm start            (in another terminal)
//   node examples/crusoe-signed-request.mjs
import { createHmac } from 'node:crypto';

const control = process.env.EMULATOR_URL ?? 'http://127.0.0.1:4100';
const manifest = await (await fetch(`${control}/_emulator/manifest`)).json();
const { baseUrl, credentials } = manifest.providers.crusoe;
const { accessKeyId, secretKey, organizationId } = credentials;

const path = `/v1alpha5/organizations/${organizationId}/audit-logs`;
const query = 'actions=Create%2CDelete&limit=5'; // keys sorted, values form-escaped
const timestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const message = `${path}\n${query}\nGET\n${timestamp}\n`;
const signature = createHmac('sha256', Buffer.from(secretKey, 'base64url')).update(message).digest('base64url');

const res = await fetch(`${baseUrl}${path}?${query}`, {
  headers: { 'X-Crusoe-Timestamp': timestamp, Authorization: `Bearer 1.0:${accessKeyId}:${signature}` },
});
const body = await res.json();
console.log(`HTTP ${res.status}`);
for (const e of body.items ?? [])
  console.log(`${e.start_time}  ${e.actor_email.padEnd(40)} ${e.action.padEnd(7)} ${e.target_type} ${e.target_names.join(',')}`);
if (res.status !== 200) {
  console.error(body);
  process.exit(1);
}
