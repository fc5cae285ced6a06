import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The real AWS CLI with these credentials, isolated from the machine's own configuration in `home`. */
export function awsCli(home: string, creds: { accessKeyId: string; secretAccessKey: string; region: string }, args: string[]) {
  writeFileSync(join(home, 'config'), '[default]\n');
  return promisify(execFile)(process.env.AWS_CLI ?? 'aws', args, {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      AWS_DEFAULT_REGION: creds.region,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_MAX_ATTEMPTS: '1',
      AWS_PAGER: '',
    },
    timeout: 60_000,
  });
}
