// 市妇联的报送接收端 / the city federation's intake endpoint.
//
// A small configuration of @tus/server (tus 1.0: resumable uploads), nothing home-made on the
// wire. What it adds to the stock server, each a few lines below:
//   - a bearer-token check, one token per unit possible (tokens file, re-read when it changes, so a
//     leaked token is revoked alone without a restart); a token bound to a unit only sends for it;
//   - the largest upload it takes (Tus-Max-Size) and the expiry of unfinished uploads;
//   - CORS off: no browser page may talk to it (the clerks' program is not a browser);
//   - uploads named by time and unit from Upload-Metadata: 20240310-101502-渝中区妇联-3f9c1a.zip;
//   - on finish the bundle's sha256 recomputed and compared with the metadata's: a mismatch is
//     deleted and refused (HTTP 422, which the program reports), never kept as received.
// Storage: a folder (default), or S3-compatible object storage (Alibaba OSS, MinIO, AWS S3).
//
// Run: `node server.mjs` with the settings in the environment (docs/intake-server.md), or
// `node server.mjs PORT DIR` (the tests). Prints "listening PORT" when ready.
//
//   INTAKE_HOST          address to listen on (127.0.0.1: behind nginx/IIS, which holds TLS)
//   INTAKE_PORT          port (1080; 0 = any free port)
//   INTAKE_PATH          the endpoint's path (/files) — the address given to the units is
//                        https://<host><INTAKE_PATH>/
//   INTAKE_DIR           where bundles land (./uploads)
//   INTAKE_TOKENS        the tokens file (see tokens.example.txt); unset = no token asked (tests only)
//   INTAKE_MAX_SIZE      largest bundle in bytes (4 GiB)
//   INTAKE_EXPIRY_HOURS  unfinished uploads deleted after this many hours (72; 0 = never)
//   INTAKE_S3_BUCKET     set to store in object storage instead of INTAKE_DIR, with
//   INTAKE_S3_ENDPOINT   https://oss-cn-chengdu.aliyuncs.com, http://127.0.0.1:9000 (MinIO) …
//   INTAKE_S3_REGION     region (cn-chengdu, us-east-1 …)
//   INTAKE_S3_PATH_STYLE 1 for MinIO and most non-AWS servers
//   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY   the storage's key pair
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Server, EVENTS } from '@tus/server';
import { FileStore } from '@tus/file-store';

// A log that can no longer be written (its pipe closed) must not take the intake down.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

const env = process.env;
const [argPort, argDir] = process.argv.slice(2);
const settings = {
  host: env.INTAKE_HOST ?? '127.0.0.1',
  port: Number(argPort ?? env.INTAKE_PORT ?? 1080),
  path: env.INTAKE_PATH ?? '/files',
  dir: argDir ?? env.INTAKE_DIR ?? './uploads',
  tokens: env.INTAKE_TOKENS,
  maxSize: Number(env.INTAKE_MAX_SIZE ?? 4 * 1024 ** 3),
  expiryHours: Number(env.INTAKE_EXPIRY_HOURS ?? 72),
};

// ---- tokens: "<token> <unit or *>" per line, # comments -------------------------------------
let tokenCache = { mtimeMs: -1, size: -1, entries: [] };
function tokenEntries() {
  if (!settings.tokens) return null;
  let stat;
  try {
    stat = fs.statSync(settings.tokens);
  } catch {
    return []; // the file vanished: nobody gets in, rather than everybody
  }
  // Time and size: an edit within the file system's time resolution still counts.
  if (stat.mtimeMs !== tokenCache.mtimeMs || stat.size !== tokenCache.size) {
    const entries = [];
    for (const raw of fs.readFileSync(settings.tokens, 'utf8').split(/\r?\n/)) {
      const line = raw.replace(/#.*/, '').trim();
      if (!line) continue;
      const [token, ...unit] = line.split(/\s+/);
      entries.push({ digest: digest(token), unit: unit.join(' ') || '*' });
    }
    tokenCache = { mtimeMs: stat.mtimeMs, size: stat.size, entries };
  }
  return tokenCache.entries;
}
function digest(s) {
  return crypto.createHash('sha256').update(s).digest();
}
// The entry of a request's bearer token: undefined = refused, null = no tokens configured.
function tokenOf(authorization) {
  const entries = tokenEntries();
  if (entries === null) return null;
  const m = /^Bearer\s+(\S+)$/.exec(authorization ?? '');
  if (!m) return undefined;
  const d = digest(m[1]);
  return entries.find((e) => crypto.timingSafeEqual(e.digest, d));
}

// ---- naming ---------------------------------------------------------------------------------
// The unit's name is the sender's word: only what is safe in a file name on Windows and Linux.
function safeName(s) {
  const cleaned = String(s ?? '')
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(0, 40);
  return cleaned || '未知单位';
}
function stamp(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

// ---- storage --------------------------------------------------------------------------------
async function datastore() {
  if (env.INTAKE_S3_BUCKET) {
    const { S3Store } = await import('@tus/s3-store');
    return new S3Store({
      partSize: 8 * 1024 * 1024,
      expirationPeriodInMilliseconds: settings.expiryHours * 3600 * 1000,
      s3ClientConfig: {
        bucket: env.INTAKE_S3_BUCKET,
        region: env.INTAKE_S3_REGION ?? 'us-east-1',
        endpoint: env.INTAKE_S3_ENDPOINT,
        forcePathStyle: env.INTAKE_S3_PATH_STYLE === '1',
      },
    });
  }
  fs.mkdirSync(settings.dir, { recursive: true });
  return new FileStore({
    directory: settings.dir,
    expirationPeriodInMilliseconds: settings.expiryHours * 3600 * 1000,
  });
}

const store = await datastore();

// Delete an upload for good. With object storage, @tus/s3-store's remove() gives up on a
// finished upload (it first aborts the multipart upload, which S3 no longer knows, and throws
// before deleting anything): the objects are then deleted here directly.
async function discard(id) {
  await store.remove(id).catch(() => {});
  if (store.client && store.bucket) {
    await store.client.deleteObjects({
      Bucket: store.bucket,
      Delete: { Objects: [{ Key: id }, { Key: store.infoKey(id) }] },
    });
  }
}

async function sha256Of(id) {
  const hash = crypto.createHash('sha256');
  for await (const piece of await store.read(id)) hash.update(piece);
  return hash.digest('hex');
}

function refuse(status_code, body) {
  return { status_code, body: `${body}\n` };
}

const tus = new Server({
  path: settings.path,
  datastore: store,
  maxSize: settings.maxSize,
  // CORS off: no Access-Control-Allow-Origin for anyone (browsers are also refused below).
  allowedOrigins: () => false,
  namingFunction: (req, metadata) =>
    `${stamp(new Date())}-${safeName(metadata?.unit)}-${crypto.randomBytes(3).toString('hex')}.zip`,
  // The id has Chinese in it: percent-encoded in the URL, decoded by the server. The Location is
  // relative, so behind nginx/IIS (which hold TLS) the client keeps its https:// address.
  generateUrl: (req, { path, id }) => `${path}/${encodeURIComponent(id)}`,
  async onUploadCreate(req, upload) {
    const meta = upload.metadata ?? {};
    if (!/^[0-9a-f]{64}$/.test(meta.sha256 ?? '')) {
      throw refuse(400, 'Upload-Metadata needs the bundle sha256 (64 lowercase hex digits)');
    }
    if (!meta.unit) throw refuse(400, 'Upload-Metadata needs unit');
    const token = tokenOf(req.headers.get('authorization'));
    if (token && token.unit !== '*' && token.unit !== meta.unit) {
      throw refuse(403, 'this token is not for that unit');
    }
    return {};
  },
  async onUploadFinish(req, upload) {
    const expected = upload.metadata?.sha256;
    const actual = await sha256Of(upload.id);
    if (actual !== expected) {
      await discard(upload.id);
      console.error(`refused ${upload.id}: sha256 ${actual}, metadata says ${expected}`);
      throw refuse(422, `bundle sha256 mismatch: received ${actual}, metadata ${expected}; not kept`);
    }
    console.log(`received ${upload.id} ${upload.size} bytes sha256 ${actual}`);
    return {};
  },
});
tus.on(EVENTS.POST_TERMINATE, (req, res, id) => console.log(`terminated ${id}`));

const server = http.createServer((req, res) => {
  if (req.headers.origin) {
    res.writeHead(403, { 'Content-Type': 'text/plain' });
    res.end('browsers are not served here\n');
    return;
  }
  if (tokenOf(req.headers.authorization) === undefined) {
    res.writeHead(401, { 'Content-Type': 'text/plain' });
    res.end('token required\n');
    return;
  }
  tus.handle(req, res);
});
// Big PATCHes over slow lines: no whole-request limit (nginx/IIS hold the client timeouts).
server.requestTimeout = 0;

// Unfinished uploads past their expiry are deleted, checked hourly (or twice per expiry period
// when that is shorter).
if (settings.expiryHours > 0) {
  const every = Math.min(3600 * 1000, (settings.expiryHours * 3600 * 1000) / 2);
  setInterval(async () => {
    try {
      const n = await tus.cleanUpExpiredUploads();
      if (n) console.log(`expired ${n} unfinished uploads`);
    } catch (e) {
      console.error(`cleanup: ${e}`);
    }
  }, every).unref();
}

server.listen(settings.port, settings.host, () => {
  if (!settings.tokens) console.error('warning: INTAKE_TOKENS not set, no token is asked for');
  console.log(`listening ${server.address().port}`);
});
