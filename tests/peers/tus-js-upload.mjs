// The benchmark's peer client: upload FILE to a tus ENDPOINT with tus-js-client (Node), in
// chunks of CHUNK bytes, with the metadata the intake requires; prints the seconds it took.
// `node tus-js-upload.mjs ENDPOINT FILE CHUNK SHA256`
import fs from 'node:fs';
import * as tus from 'tus-js-client';

const [endpoint, path, chunk, sha256] = process.argv.slice(2);
const size = fs.statSync(path).size;
const started = process.hrtime.bigint();
const upload = new tus.Upload(fs.createReadStream(path), {
  endpoint,
  uploadSize: size,
  chunkSize: Number(chunk),
  metadata: { filename: 'bench.zip', unit: '渝中区妇联', campaign: 'cq-sanba-2024', sha256 },
  retryDelays: null,
  onError(e) {
    console.error(String(e));
    process.exit(1);
  },
  onSuccess() {
    console.log(Number(process.hrtime.bigint() - started) / 1e9);
  },
});
upload.start();
