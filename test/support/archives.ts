import { gunzipSync } from 'node:zlib';
import * as tar from 'tar-stream';

/** The files of a K2 trail archive (a .tar.gz), each as text. */
export async function untar(gz: Uint8Array): Promise<Array<{ name: string; text: string }>> {
  const out: Array<{ name: string; text: string }> = [];
  const ex = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => void chunks.push(c as Buffer));
      stream.on('end', () => {
        out.push({ name: header.name, text: Buffer.concat(chunks).toString('utf8') });
        next();
      });
      stream.resume();
    });
    ex.on('finish', () => resolve());
    ex.on('error', reject);
  });
  ex.end(gunzipSync(gz));
  await done;
  return out;
}

/** Every CloudTrail record in an archive, in file order. */
export async function archiveRecords(gz: Uint8Array): Promise<unknown[]> {
  return (await untar(gz)).flatMap((f) => (JSON.parse(f.text) as { Records: unknown[] }).Records);
}
