// 市妇联的报送接收端 / the city federation's intake endpoint.
//
// A configuration of @tus/server (tus 1.0: resumable uploads), nothing home-made on the wire.
// The intake is on the internet and every unit's token is a potential attacker of every other
// unit's bundles; its one promise is that a bundle it confirmed is kept, intact, until a person
// removes it. What it adds to the stock server, each in a section below:
//   - tokens: one per unit (tokens file, re-read when it changes, so a leaked token is revoked
//     alone without a restart); a token sends only for its unit;
//   - isolation: every request on an upload is checked against the token's unit (another unit's
//     upload answers 404); finished uploads can be neither written nor terminated; GET is not
//     served; addresses carry 128 random bits and are never reused;
//   - on the last byte the bundle's sha256 is recomputed and compared with the metadata's: a
//     mismatch is deleted and refused (422); a match is flushed to stable storage and its
//     verified sha256, time and unit written into its record *before* the last PATCH is answered;
//   - no way around that check: no deferred length, no body without Content-Length, no body on
//     creation, and an upload complete on disk but unchecked (a crash at the wrong moment) is
//     checked at start-up;
//   - the sweep deletes only uploads whose bytes are fewer than their length; finished ones stay;
//   - limits: unfinished uploads and their bytes per unit, free disk, idle and trickling
//     connections;
//   - an append-only audit log, one JSON line per event.
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
//   INTAKE_AUDIT         the audit log (INTAKE_DIR/intake-audit.jsonl; ./intake-audit.jsonl with S3)
//   INTAKE_MAX_SIZE      largest bundle in bytes (4 GiB)
//   INTAKE_EXPIRY_HOURS  unfinished uploads deleted after this many hours (72; 0 = never)
//   INTAKE_MAX_UNFINISHED        unfinished uploads kept per unit (8): a ninth evicts the oldest
//   INTAKE_MAX_UNFINISHED_BYTES  their bytes per unit (2 × INTAKE_MAX_SIZE)
//   INTAKE_MAX_FINISHED          received bundles per unit (30)
//   INTAKE_MAX_REQUESTS_PER_UNIT requests of one unit at a time (8)
//   INTAKE_MAX_CONNECTIONS       connections in all (1000)
//   INTAKE_MIN_FREE_BYTES        creation refused (507) when the disk would keep less (1 GiB)
//   INTAKE_IDLE_SECONDS          a connection with nothing moving is closed after (60)
//   INTAKE_MIN_BYTES_PER_WINDOW  a body slower than this per window is cut (65536) …
//   INTAKE_RATE_WINDOW_SECONDS   … measured over this many seconds (60)
//   INTAKE_S3_BUCKET     set to store in object storage instead of INTAKE_DIR, with
//   INTAKE_S3_ENDPOINT   https://oss-cn-chengdu.aliyuncs.com, http://127.0.0.1:9000 (MinIO) …
//   INTAKE_S3_REGION     region (cn-chengdu, us-east-1 …)
//   INTAKE_S3_PATH_STYLE 1 for MinIO and most non-AWS servers
//   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY   the storage's key pair
//   INTAKE_CAMPAIGNS     where published campaigns are kept (campaigns beside INTAKE_DIR; ./campaigns
//                        with S3)
//   INTAKE_REVIEWS       where reviews and reminders to the units are kept (reviews beside
//                        INTAKE_DIR; ./reviews with S3)
//   INTAKE_MAX_REVIEWS_PER_UNIT  messages kept per unit (500): past it, 507
//   INTAKE_CAMPAIGN_KEY  the department's public key (64 hex digits, as pinned in baosong.toml);
//                        unset = publishing refused (503), what is published still served
//
// Campaigns (campaigns.mjs): the department publishes signed templates with its desk token
// (`<token> @desk` in the tokens file); every unit's app reads them. Reviews and reminders
// (reviews.mjs): the desk publishes them signed, each unit's token reads its own. A desk token
// sends no bundles.
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Server, EVENTS } from '@tus/server';
import { FileStore } from '@tus/file-store';
import { campaigns } from './campaigns.mjs';
import { reviews } from './reviews.mjs';

// A log that can no longer be written (its pipe closed) must not take the intake down.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

const env = process.env;
const [argPort, argDir] = process.argv.slice(2);
const num = (v, d) => (v === undefined || v === '' ? d : Number(v));
const settings = {
  host: env.INTAKE_HOST ?? '127.0.0.1',
  port: Number(argPort ?? env.INTAKE_PORT ?? 1080),
  path: env.INTAKE_PATH ?? '/files',
  dir: argDir ?? env.INTAKE_DIR ?? './uploads',
  tokens: env.INTAKE_TOKENS,
  maxSize: num(env.INTAKE_MAX_SIZE, 4 * 1024 ** 3),
  expiryHours: num(env.INTAKE_EXPIRY_HOURS, 72),
  idleSeconds: num(env.INTAKE_IDLE_SECONDS, 60),
  minBytesPerWindow: num(env.INTAKE_MIN_BYTES_PER_WINDOW, 64 * 1024),
  rateWindowSeconds: num(env.INTAKE_RATE_WINDOW_SECONDS, 60),
  minFree: num(env.INTAKE_MIN_FREE_BYTES, 1024 ** 3),
};
settings.maxUnfinished = num(env.INTAKE_MAX_UNFINISHED, 8);
settings.maxFinished = num(env.INTAKE_MAX_FINISHED, 30);
settings.maxConnections = num(env.INTAKE_MAX_CONNECTIONS, 1000);
settings.maxRequestsPerUnit = num(env.INTAKE_MAX_REQUESTS_PER_UNIT, 8);
settings.maxUnfinishedBytes = num(env.INTAKE_MAX_UNFINISHED_BYTES, 2 * settings.maxSize);
const s3 = Boolean(env.INTAKE_S3_BUCKET);
// Beside the bundles' folder, not in it: the desk reads that folder, and an administrator clearing
// unfinished uploads there must not take the published campaigns with them.
settings.campaigns =
  env.INTAKE_CAMPAIGNS ?? (s3 ? './campaigns' : path.join(path.dirname(path.resolve(settings.dir)), 'campaigns'));
settings.reviews =
  env.INTAKE_REVIEWS ?? (s3 ? './reviews' : path.join(path.dirname(path.resolve(settings.dir)), 'reviews'));
settings.audit =
  env.INTAKE_AUDIT ?? (s3 ? './intake-audit.jsonl' : path.join(settings.dir, 'intake-audit.jsonl'));

// ---- audit log: one JSON line per event, appended, flushed for the events that are evidence --
if (!s3) fs.mkdirSync(settings.dir, { recursive: true });
const auditFd = fs.openSync(settings.audit, 'a');
function audit(event, fields = {}, durable = false) {
  const line = `${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`;
  try {
    fs.writeSync(auditFd, line);
    if (durable) fs.fsyncSync(auditFd);
  } catch (e) {
    console.error(`audit log: ${e.message}`);
  }
}

const campaignRoutes = campaigns({
  dir: settings.campaigns,
  keyHex: env.INTAKE_CAMPAIGN_KEY,
  audit,
  throttled: (key, log) => throttled(key, log),
});

const reviewRoutes = reviews({
  dir: settings.reviews,
  keyHex: env.INTAKE_CAMPAIGN_KEY,
  audit,
  throttled: (key, log) => throttled(key, log),
  maxPerUnit: num(env.INTAKE_MAX_REVIEWS_PER_UNIT, 500),
});

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
    let n = 0;
    for (const raw of fs.readFileSync(settings.tokens, 'utf8').split(/\r?\n/)) {
      n += 1;
      const line = raw.replace(/#.*/, '').trim();
      if (!line) continue;
      const [token, ...rest] = line.split(/\s+/);
      const unit = rest.join(' ');
      // A line without a unit is a mistake, not a key to every unit: refused, and said so.
      if (!unit) {
        console.error(`tokens file line ${n}: no unit after the token; line ignored`);
        continue;
      }
      entries.push({ digest: digest(token), unit });
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
  const entry = entries.find((e) => crypto.timingSafeEqual(e.digest, d));
  return entry && { unit: entry.unit, fingerprint: d.toString('hex').slice(0, 12) };
}
// The token is decided once per request, in the HTTP front below, and handed to the tus hooks on
// the request itself: read twice (the front and tus see the headers differently, and the tokens
// file may change in between) it once let a refused token through as "no token".
const TOKEN = Symbol('baosong token');
function tokenFor(req) {
  const node = req.node?.req ?? req.runtime?.node?.req;
  if (!node || !(TOKEN in node)) throw refuse(401, 'token required');
  return node[TOKEN];
}
// Who may touch an upload made with this token: its unit; a `*` token only its own uploads.
function ownerOf(token) {
  if (!token) return null;
  return token.unit === '*' ? `*${token.fingerprint}` : token.unit;
}

// ---- naming ---------------------------------------------------------------------------------
// The unit's name is the sender's word: only what is safe and honest in a file name on Windows
// and Linux — no control or format characters (U+202E would make a name display as …exe).
function safeName(s) {
  const cleaned = String(s ?? '')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}/\\:*?"<>|]/gu, '_')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(0, 40);
  return cleaned || '未知单位';
}
// China's time (+08:00, no summer time) whatever the server's zone: the desk reads a bundle's
// arrival from this name as 北京时间 (TZ is ignored on Windows; a server left on UTC named
// bundles eight hours early).
function stamp(d) {
  const p = (n) => String(n).padStart(2, '0');
  const c = new Date(d.getTime() + 8 * 3600 * 1000);
  return `${c.getUTCFullYear()}${p(c.getUTCMonth() + 1)}${p(c.getUTCDate())}-${p(c.getUTCHours())}${p(c.getUTCMinutes())}${p(c.getUTCSeconds())}`;
}

// ---- storage --------------------------------------------------------------------------------
// The folder store, creating a file only where none is (stock @tus/file-store truncates).
class KeepingFileStore extends FileStore {
  async create(file) {
    const filePath = this.resolve(file.id);
    const handle = await fs.promises.open(filePath, 'wx');
    await handle.close();
    await this.configstore.set(file.id, file);
    file.storage = { type: 'file', path: filePath };
    return file;
  }
}

// The stores get no expiry of their own: theirs deletes finished uploads (@tus/file-store reads
// the offset written at creation) and answers 410 for a finished one once it is old. The sweep
// below is the only one.
async function datastore() {
  if (s3) {
    const { S3Store } = await import('@tus/s3-store');
    return new S3Store({
      partSize: 8 * 1024 * 1024,
      s3ClientConfig: {
        bucket: env.INTAKE_S3_BUCKET,
        region: env.INTAKE_S3_REGION ?? 'us-east-1',
        endpoint: env.INTAKE_S3_ENDPOINT,
        forcePathStyle: env.INTAKE_S3_PATH_STYLE === '1',
      },
    });
  }
  return new KeepingFileStore({ directory: settings.dir });
}

const store = await datastore();
// What the intake offers, said as it is: creation (with the length, and no body) and termination
// of unfinished uploads. No deferred length or creation-with-upload (they would skip the sha256
// check), and the expiry is the intake's own, not tus's Upload-Expires.
store.extensions = ['creation', 'termination'];

// The upload's record, as the store keeps it (`<id>.json` beside the file; `<id>.info` in the
// bucket) with our `baosong` part: { unit, owner, token, created_at, sha256, received_at }.
async function readRecord(id) {
  try {
    if (s3) {
      const { Body } = await store.client.getObject({ Bucket: store.bucket, Key: store.infoKey(id) });
      return JSON.parse(await Body.transformToString());
    }
    return JSON.parse(await fs.promises.readFile(path.join(settings.dir, `${id}.json`), 'utf8'));
  } catch {
    return undefined;
  }
}
async function writeRecord(id, record) {
  const text = JSON.stringify(record);
  if (s3) {
    const { Metadata } = await store.client.headObject({ Bucket: store.bucket, Key: store.infoKey(id) });
    await store.client.putObject({
      Bucket: store.bucket,
      Key: store.infoKey(id),
      Body: text,
      Metadata,
    });
    return;
  }
  // Atomically and durably: temp file, fsync, rename, fsync the folder.
  const file = path.join(settings.dir, `${id}.json`);
  const temp = `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  const handle = await fs.promises.open(temp, 'wx');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.promises.rename(temp, file);
  await syncFolder();
}
async function syncFolder() {
  const dir = await fs.promises.open(settings.dir, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
// The bundle's bytes on stable storage (a completed multipart upload already is, in a bucket).
async function flushBundle(id) {
  if (s3) return;
  const handle = await fs.promises.open(path.join(settings.dir, id), 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await syncFolder();
}
async function listIds() {
  if (s3) {
    const ids = [];
    let token;
    do {
      const r = await store.client.listObjectsV2({ Bucket: store.bucket, ContinuationToken: token });
      for (const o of r.Contents ?? []) if (o.Key.endsWith('.info')) ids.push(o.Key.slice(0, -5));
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return ids;
  }
  const names = await fs.promises.readdir(settings.dir);
  const present = new Set(names);
  return names
    .filter((n) => n.endsWith('.json') && present.has(n.slice(0, -5)))
    .map((n) => n.slice(0, -5));
}

// Delete an upload for good. With object storage, @tus/s3-store's remove() gives up on a
// finished upload (it first aborts the multipart upload, which S3 no longer knows, and throws
// before deleting anything) and leaves an incomplete part behind: the objects are then deleted
// here directly.
async function discard(id) {
  await store.remove(id).catch(() => {});
  if (s3) {
    await store.client.deleteObjects({
      Bucket: store.bucket,
      // The bundle, its record, and the piece of a part still short of the part size.
      Delete: { Objects: [{ Key: id }, { Key: store.infoKey(id) }, { Key: store.partKey(id, true) }] },
    });
  }
  uploads.delete(id);
}

async function sha256Of(id) {
  const hash = crypto.createHash('sha256');
  for await (const piece of await store.read(id)) hash.update(piece);
  return hash.digest('hex');
}

// ---- what is here: id → { owner, unit, size, created, sha256 } -------------------------------
// Loaded from the records at start-up and kept as uploads come and go; the records on disk stay
// the truth (the desk reads them).
const uploads = new Map();
function entryOf(record) {
  const b = record.baosong ?? {};
  return {
    owner: b.owner ?? null,
    unit: b.unit ?? null,
    size: Number(record.size),
    created: Date.parse(b.created_at ?? record.creation_date ?? 0) || 0,
    sha256: b.sha256 ?? null,
  };
}
// Verification of uploads whose last byte is in, by id: any other request on them waits for it.
const verifying = new Map();
// Uploads being written to right now (never evicted).
const writing = new Set();

function refuse(status_code, body) {
  return { status_code, body: `${body}\n` };
}

// The last byte is in: recompute the sha256; a match is made durable and recorded before anyone
// is told, a mismatch deleted. Runs once per upload: concurrent callers share it.
function verify(id) {
  if (!verifying.has(id)) {
    const work = (async () => {
      const record = await readRecord(id);
      if (!record) throw refuse(404, 'no such upload');
      const b = record.baosong ?? {};
      if (b.sha256) return b.sha256; // already verified: never hashed twice
      const expected = record.metadata?.sha256;
      const actual = await sha256Of(id);
      if (actual !== expected) {
        await discard(id);
        audit('refused', { id, unit: b.unit, reason: 'sha256 mismatch', sha256: actual, expected }, true);
        console.error(`refused ${id}: sha256 ${actual}, metadata says ${expected}`);
        throw refuse(422, `bundle sha256 mismatch: received ${actual}, metadata ${expected}; not kept`);
      }
      await flushBundle(id);
      record.baosong = { ...b, sha256: actual, received_at: new Date().toISOString() };
      await writeRecord(id, record);
      const entry = uploads.get(id) ?? entryOf(record);
      entry.sha256 = actual;
      uploads.set(id, entry);
      audit('received', { id, unit: b.unit, declared: record.metadata?.unit, bytes: record.size, sha256: actual }, true);
      console.log(`received ${id} ${record.size} bytes sha256 ${actual}`);
      return actual;
    })();
    verifying.set(id, work);
    work.finally(() => verifying.delete(id)).catch(() => {});
  }
  return verifying.get(id);
}

// Bytes the store holds of an upload (fewer than its size: unfinished).
async function bytesOf(id) {
  return (await store.getUpload(id)).offset;
}

// ---- the sweep: only uploads whose bytes are fewer than their length, older than the expiry --
async function sweep() {
  const now = Date.now();
  const expiry = settings.expiryHours * 3600 * 1000;
  let n = 0;
  for (const [id, entry] of [...uploads]) {
    if (entry.sha256 || writing.has(id) || verifying.has(id)) continue;
    if (now - entry.created <= expiry) continue;
    let held;
    try {
      held = await bytesOf(id);
    } catch {
      uploads.delete(id);
      continue;
    }
    if (held < entry.size) {
      await discard(id);
      audit('expired', { id, unit: entry.unit, bytes: held, of: entry.size }, true);
      n += 1;
    } else {
      await verify(id).catch(() => {}); // complete but never checked: checked now
    }
  }
  if (n) console.log(`expired ${n} unfinished uploads`);
}

// ---- limits per unit ------------------------------------------------------------------------
let creations = Promise.resolve();
function finishedOf(owner) {
  let n = 0;
  for (const e of uploads.values()) if (e.owner === owner && e.sha256) n += 1;
  return n;
}
// Bytes promised to unfinished uploads and not yet written (the free-space check counts them).
function promised() {
  if (s3) return 0;
  let sum = 0;
  for (const [id, e] of uploads) {
    if (e.sha256) continue;
    let held = 0;
    try {
      held = fs.statSync(path.join(settings.dir, id)).size;
    } catch {
      // not created yet
    }
    sum += Math.max(0, e.size - held);
  }
  return sum;
}
// Unfinished uploads of one owner, oldest first.
function unfinishedOf(owner) {
  return [...uploads]
    .filter(([, e]) => e.owner === owner && !e.sha256)
    .sort((a, b) => a[1].created - b[1].created);
}
// Make room for one more upload of `size` bytes: the owner's oldest unfinished uploads give way
// (an abandoned attempt). Answers false when what is left is all being written right now.
async function makeRoom(owner, size) {
  for (;;) {
    const mine = unfinishedOf(owner);
    const bytes = mine.reduce((s, [, e]) => s + e.size, 0);
    if (mine.length < settings.maxUnfinished && bytes + size <= settings.maxUnfinishedBytes) return true;
    const oldest = mine.find(([id]) => !writing.has(id) && !verifying.has(id));
    if (!oldest) return false;
    await discard(oldest[0]);
    audit('evicted', { id: oldest[0], unit: oldest[1].unit, reason: 'limit of unfinished uploads per unit' });
  }
}
function freeBytes() {
  if (s3) return Infinity;
  const s = fs.statfsSync(settings.dir);
  return s.bavail * s.bsize;
}

// ---- the tus server -------------------------------------------------------------------------
const tus = new Server({
  path: settings.path,
  datastore: store,
  maxSize: settings.maxSize,
  // CORS off: no Access-Control-Allow-Origin for anyone (browsers are also refused below).
  allowedOrigins: () => false,
  // 128 random bits: an address cannot be guessed, and two never meet.
  namingFunction: (req, metadata) =>
    `${stamp(new Date())}-${safeName(metadata?.unit)}-${crypto.randomBytes(16).toString('hex')}.zip`,
  // The id has Chinese in it: percent-encoded in the URL, decoded by the server. The Location is
  // relative, so behind nginx/IIS (which hold TLS) the client keeps its https:// address.
  generateUrl: (req, { path: p, id }) => `${p}/${encodeURIComponent(id)}`,
  // Every request on an existing upload: only its owner's token sees it; finished ones are
  // neither written nor terminated; one whose last byte is being checked waits for the check.
  async onIncomingRequest(req, id) {
    if (req.method === 'POST') return;
    const token = tokenFor(req);
    const entry = uploads.get(id);
    if (!entry || (token !== null && entry.owner !== ownerOf(token))) {
      throw refuse(404, 'Not found');
    }
    // Complete but not yet checked (the moment between the last byte and the check): wait.
    if (
      req.method === 'HEAD' &&
      !entry.sha256 &&
      !verifying.has(id) &&
      (await bytesOf(id).catch(() => 0)) >= entry.size
    ) {
      verify(id).catch(() => {});
    }
    if (verifying.has(id)) await verify(id).catch(() => {});
    if (!uploads.has(id)) throw refuse(404, 'Not found');
    if (entry.sha256 && (req.method === 'PATCH' || req.method === 'DELETE')) {
      throw refuse(403, 'this bundle has been received and is kept; it cannot be changed or withdrawn');
    }
    if (req.method === 'DELETE' && writing.has(id)) {
      throw refuse(409, 'this upload is being written; pause it first');
    }
  },
  async onUploadCreate(req, upload) {
    const meta = upload.metadata ?? {};
    if (!/^[0-9a-f]{64}$/.test(meta.sha256 ?? '')) {
      throw refuse(400, 'Upload-Metadata needs the bundle sha256 (64 lowercase hex digits)');
    }
    if (!meta.unit) throw refuse(400, 'Upload-Metadata needs unit');
    const token = tokenFor(req);
    if (token && token.unit !== '*' && token.unit !== meta.unit) {
      throttled(`refused ${token.unit}`, () =>
        audit('refused', { unit: token.unit, declared: meta.unit, reason: 'token of another unit' }),
      );
      throw refuse(403, 'this token is not for that unit');
    }
    const owner = ownerOf(token);
    // Kept in the record by the store (it writes the upload object as JSON).
    upload.baosong = {
      unit: token && token.unit !== '*' ? token.unit : null,
      owner,
      token: token?.fingerprint ?? null,
      created_at: new Date().toISOString(),
    };
    // One creation at a time: the limits are checked and the new upload counted in one step, so
    // a burst of creations cannot all pass the same check.
    const admit = creations.then(async () => {
      if (finishedOf(owner) >= settings.maxFinished) {
        throw refuse(429, 'this unit has sent many bundles already; ask the city federation');
      }
      if (!(await makeRoom(owner, upload.size))) {
        throw refuse(429, 'too many uploads of this unit under way; try again later');
      }
      if (freeBytes() - promised() < upload.size + settings.minFree) {
        audit('refused', { unit: token?.unit ?? meta.unit, reason: 'disk full', bytes: upload.size }, true);
        throw refuse(507, 'the intake is short of disk space; the city federation has been told');
      }
      uploads.set(upload.id, entryOf(upload));
    });
    creations = admit.catch(() => {});
    await admit;
    return {};
  },
  async onUploadFinish(req, upload) {
    const sha256 = await verify(upload.id);
    return { headers: { 'Baosong-Sha256': sha256 } };
  },
  // An unexpected error's text stays in the log; the sender gets a plain 500.
  async onResponseError(req, err) {
    if (err?.status_code && err.status_code < 500) return undefined;
    if (err?.status_code === 507) return undefined;
    try {
      console.error(`error on ${req.method} ${req.url}: ${err?.stack ?? err?.message ?? err}`);
    } catch {
      // the log itself failed: the answer still goes out
    }
    return { status_code: 500, body: 'internal error\n' };
  },
});
tus.on(EVENTS.POST_CREATE, (req, upload) => {
  audit('created', { id: upload.id, unit: upload.baosong?.unit, declared: upload.metadata?.unit, bytes: upload.size });
});
tus.on(EVENTS.POST_TERMINATE, (req, res, id) => {
  const entry = uploads.get(id);
  uploads.delete(id);
  audit('terminated', { id, unit: entry?.unit }, true);
  console.log(`terminated ${id}`);
});

// ---- the HTTP front: what is refused before tus sees it ---------------------------------------
// Refused before tus: said, and the connection closed (a body it announced is not waited for).
function answer(req, res, status, body, extra = {}) {
  res.writeHead(status, {
    'Content-Type': 'text/plain',
    'Cache-Control': 'no-store',
    Connection: 'close',
    ...extra,
  });
  res.end(`${body}\n`);
}
// Requests under way per unit (owner).
const active = new Map();
// Refusals are logged at most once per key every 10 s: the audit log cannot be grown at will.
const refusedLately = new Map();
function throttled(key, log) {
  const now = Date.now();
  if ((refusedLately.get(key) ?? 0) < now - 10_000) {
    refusedLately.set(key, now);
    if (refusedLately.size > 10_000) refusedLately.clear();
    log();
  }
}
// Outsiders are told once and cut off: the connection is closed after the answer.
function unauthorised(req, res, status, body) {
  const from = req.socket.remoteAddress ?? '?';
  throttled(`from ${from}`, () => audit('token refused', { from, method: req.method, status }));
  answer(req, res, status, body, { Connection: 'close' });
}
// A body must move: fewer than INTAKE_MIN_BYTES_PER_WINDOW in a window and the connection goes.
function watchRate(req, res) {
  const socket = req.socket;
  let last = socket.bytesRead;
  const timer = setInterval(() => {
    if (socket.bytesRead - last < settings.minBytesPerWindow) {
      console.error(`cut a ${req.method} from ${socket.remoteAddress}: too slow`);
      socket.destroy();
    }
    last = socket.bytesRead;
  }, settings.rateWindowSeconds * 1000);
  timer.unref();
  res.on('close', () => clearInterval(timer));
}

const server = http.createServer((req, res) => {
  if (req.headers.origin) {
    answer(req, res, 403, 'browsers are not served here', { Connection: 'close' });
    return;
  }
  // One Authorization header, or none: two could be read differently by different layers.
  const authorizations = req.rawHeaders.filter((_, i) => i % 2 === 0 && /^authorization$/i.test(req.rawHeaders[i]));
  const token = authorizations.length > 1 ? undefined : tokenOf(req.headers.authorization);
  if (token === undefined) {
    unauthorised(req, res, 401, 'token required');
    return;
  }
  req[TOKEN] = token;
  const h = req.headers;
  // Only origin-form paths under the endpoint, no query: the front and tus see the same id.
  // The endpoint's path itself or below it (/filesreviews is not /files/reviews).
  const under = req.url === settings.path || req.url.startsWith(`${settings.path.replace(/\/$/, '')}/`);
  if (!under || /[?#]/.test(req.url) || /%2f|%5c|%00/i.test(req.url)) {
    answer(req, res, 404, 'Not found');
    return;
  }
  const rest = req.url.slice(settings.path.length).replace(/^\//, '');
  const channel = rest.startsWith('campaigns/') || rest.startsWith('reviews/');
  // The department's token publishes; it sends no bundles.
  if (token?.unit === '@desk' && !channel) {
    answer(req, res, 403, 'the desk token does not send bundles');
    return;
  }
  if (h['upload-concat'] !== undefined) {
    answer(req, res, 400, 'Upload-Concat is not accepted');
    return;
  }
  const hasBody = h['transfer-encoding'] !== undefined || Number(h['content-length'] ?? 0) !== 0;
  // At most a few requests of one unit at a time: a unit's PC sends over one or two.
  const owner = ownerOf(token) ?? '';
  if ((active.get(owner) ?? 0) >= settings.maxRequestsPerUnit) {
    answer(req, res, 429, 'too many requests of this unit at once', { 'Retry-After': '5' });
    return;
  }
  active.set(owner, (active.get(owner) ?? 0) + 1);
  res.on('close', () => {
    const n = (active.get(owner) ?? 1) - 1;
    if (n > 0) active.set(owner, n);
    else active.delete(owner);
  });
  // Published campaigns: read by every token, written by the desk's (campaigns.mjs); reviews and
  // reminders (reviews.mjs) — behind the same limits as the uploads: requests per unit counted
  // above, a body must move, a read takes no body.
  if (channel) {
    if ((req.method === 'GET' || req.method === 'HEAD') && hasBody) {
      answer(req, res, 400, `${req.method} takes no body`);
      return;
    }
    if (req.method === 'PUT') watchRate(req, res);
    res.on('finish', () => {
      // (a refusal may have destroyed the socket already: a 413 cuts the body off)
      if (res.statusCode >= 400) req.socket?.end();
    });
    if (rest.startsWith('campaigns/')) campaignRoutes(req, res, rest, token);
    else reviewRoutes(req, res, rest, token);
    return;
  }
  switch (req.method) {
    case 'OPTIONS':
    case 'HEAD':
    case 'DELETE':
      if (hasBody) {
        answer(req, res, 400, `${req.method} takes no body`);
        return;
      }
      break;
    case 'POST':
      // The length is known at creation (the sha256 check needs it) and the body comes by PATCH.
      if (h['upload-defer-length'] !== undefined) {
        answer(req, res, 400, 'Upload-Defer-Length is not accepted: announce Upload-Length');
        return;
      }
      if (!/^[1-9][0-9]{0,15}$/.test(h['upload-length'] ?? '')) {
        answer(req, res, 400, 'Upload-Length must be a positive number of bytes');
        return;
      }
      if (hasBody) {
        answer(req, res, 400, 'creation with a body is not accepted: send the bytes by PATCH');
        return;
      }
      break;
    case 'PATCH':
      // Every body says its length, and Node reads exactly that many bytes: nothing past an
      // upload's length can ever be written.
      if (h['transfer-encoding'] !== undefined || !/^[0-9]{1,16}$/.test(h['content-length'] ?? '')) {
        answer(req, res, 411, 'PATCH needs a Content-Length', { Connection: 'close' });
        return;
      }
      if (h['upload-length'] !== undefined) {
        answer(req, res, 400, 'Upload-Length is fixed at creation');
        return;
      }
      watchRate(req, res);
      break;
    default:
      // GET included: the intake keeps bundles, it does not hand them out.
      answer(req, res, 405, 'method not allowed', { Allow: 'OPTIONS, POST, HEAD, PATCH, DELETE' });
      return;
  }
  const id = req.method === 'PATCH' ? idOf(req.url) : undefined;
  if (id) writing.add(id);
  res.on('close', () => {
    if (id) writing.delete(id);
  });
  // A verified upload says so on HEAD: the sha256 the intake recomputed.
  if (req.method === 'HEAD') {
    const entry = uploads.get(idOf(req.url));
    if (entry?.sha256 && (token === null || entry.owner === ownerOf(token))) {
      res.setHeader('Baosong-Sha256', entry.sha256);
    }
  }
  // A refused token of another unit (403) or a refusal for another reason: no keep-alive.
  res.on('finish', () => {
    if (res.statusCode === 401 || res.statusCode === 403) req.socket?.end();
  });
  tus.handle(req, res).catch((e) => {
    console.error(`request failed: ${e?.stack ?? e}`);
    if (!res.headersSent) answer(req, res, 500, 'internal error');
    else res.destroy();
  });
});
function idOf(url) {
  const m = /([^/?]+)\/?(\?.*)?$/.exec(url ?? '');
  try {
    return m ? decodeURIComponent(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
// Big PATCHes over slow lines: no whole-request limit, but a connection with nothing moving for
// INTAKE_IDLE_SECONDS is closed, headers must come within 30 s, and bodies must keep a pace.
server.requestTimeout = 0;
server.headersTimeout = 30_000;
server.timeout = settings.idleSeconds * 1000;
// Connections in all: past this, new ones are dropped (file descriptors stay available).
server.maxConnections = settings.maxConnections;

// ---- start: what is here, and anything complete but unchecked checked now --------------------
for (const id of await listIds()) {
  const record = await readRecord(id);
  if (record) uploads.set(id, entryOf(record));
}
for (const [id, entry] of [...uploads]) {
  if (entry.sha256) continue;
  try {
    if ((await bytesOf(id)) >= entry.size) await verify(id).catch(() => {});
  } catch {
    // its file is gone: nothing to check
  }
}

if (settings.expiryHours > 0) {
  const every = Math.min(3600 * 1000, (settings.expiryHours * 3600 * 1000) / 2);
  setInterval(() => {
    sweep().catch((e) => console.error(`sweep: ${e?.stack ?? e}`));
  }, every).unref();
}

server.listen(settings.port, settings.host, () => {
  if (!settings.tokens) console.error('warning: INTAKE_TOKENS not set, no token is asked for');
  console.log(`listening ${server.address().port}`);
});
