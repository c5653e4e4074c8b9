// What campaigns.mjs and reviews.mjs share: the department's public key, a file written whole,
// and a signed body read, bounded and checked — `{"<field>": "<text>", "signature": "<hex>"}`
// with an Ed25519 signature over `context` + the text's bytes.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// An Ed25519 public key as DER (SubjectPublicKeyInfo): this prefix, then the 32 raw bytes.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

// The department's public key from its 64 hex digits (null when unset).
export function publicKey(keyHex) {
  if (!keyHex) return null;
  if (!/^[0-9a-f]{64}$/i.test(keyHex)) throw new Error('INTAKE_CAMPAIGN_KEY must be 64 hex digits');
  return crypto.createPublicKey({
    key: Buffer.concat([SPKI_PREFIX, Buffer.from(keyHex, 'hex')]),
    format: 'der',
    type: 'spki',
  });
}

// A file written whole: a temporary file beside it, fsync, rename (and the folder synced when
// asked): a reader sees the old file or the new one, never half of one.
export function writeWhole(file, data, { syncFolder = false } = {}) {
  const temp = `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  const fd = fs.openSync(temp, 'wx');
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
  if (syncFolder) {
    const d = fs.openSync(path.dirname(file), 'r');
    try {
      fs.fsyncSync(d);
    } finally {
      fs.closeSync(d);
    }
  }
}

// Read a signed body and check it: at most `max` bytes of text (the body a little more), JSON
// with `field` and `signature`, the signature good for `key` under `context`. Answers the
// request itself when it is refused (and returns null; `refused(reason)` is told of a bad
// signature); else returns `{ text, signature }` (the signature lower-case).
export async function readSigned(req, res, { key, context, field, max, what, plain, refused }) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 2 * max + 4096) {
      plain(req, res, 413, `${what} is at most ${max >> 10} KiB`, { Connection: 'close' });
      req.socket.destroy();
      return null;
    }
    chunks.push(chunk);
  }
  let body;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    plain(req, res, 400, `the body is not JSON {"${field}": …, "signature": …}`);
    return null;
  }
  if (typeof body?.[field] !== 'string' || typeof body?.signature !== 'string') {
    plain(req, res, 400, `the body needs "${field}" (text) and "signature" (hex)`);
    return null;
  }
  const bytes = Buffer.from(body[field], 'utf8');
  if (bytes.length > max) {
    plain(req, res, 413, `${what} is at most ${max >> 10} KiB`);
    return null;
  }
  const signature = body.signature.trim().toLowerCase();
  const good =
    /^[0-9a-f]{128}$/.test(signature) &&
    crypto.verify(null, Buffer.concat([context, bytes]), key, Buffer.from(signature, 'hex'));
  if (!good) {
    refused('bad signature');
    plain(req, res, 422, 'the signature does not verify against the department key');
    return null;
  }
  return { text: body[field], signature };
}
