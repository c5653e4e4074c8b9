// 审核与催报 / the department's answer back to each unit: reviews of received bundles (通过,
// 退回修改, 已阅) and reminders (催报), each a message signed with the department's key.
//
//   PUT <INTAKE_PATH>/reviews/<id>        the desk token only: {"message": "<text>", "signature": "<hex>"}
//   GET <INTAKE_PATH>/reviews/mine        a unit's token: that unit's messages, nobody else's
//   PUT <INTAKE_PATH>/reviews/seen/<id>   a unit's token: its app has shown that message
//   GET <INTAKE_PATH>/reviews/all         the desk token: every unit's messages, with when seen
//
// The intake checks a message as the apps will: the signature (Ed25519, context
// "baosong-review-v1\n") against the department's public key (INTAKE_CAMPAIGN_KEY), an id of 32
// hex digits as in the address, a unit named. The unit a message goes to is the one it names;
// the unit a token reads is the token's (the tokens file): a unit cannot read, write or mark
// another's. Files are written whole (temp, fsync, rename) and never changed; at most
// INTAKE_MAX_REVIEWS_PER_UNIT (500) messages per unit.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { publicKey, readSigned, writeWhole as writeFile } from './signed.mjs';

const CONTEXT = Buffer.from('baosong-review-v1\n');
const MAX_MESSAGE = 64 * 1024;
// What the apps accept (crates/baosong-core/src/review): a message they would refuse is not kept
// (it would count towards the unit's 500 for nothing).
const MAX_TEXT = 2000;
const MAX_NOTES = 100;
const chars = (s) => [...String(s ?? '')].length;
const ID = /^[0-9a-f]{32}$/;

export function reviews({ dir, keyHex, audit, throttled = (_key, log) => log(), maxPerUnit = 500 }) {
  fs.mkdirSync(dir, { recursive: true });
  const key = keyHex && /^[0-9a-f]{64}$/i.test(keyHex) ? publicKey(keyHex) : null;
  // One write at a time: the count per unit and the file are checked and written in one step.
  let writing = Promise.resolve();

  const folderOf = (unit) => path.join(dir, crypto.createHash('sha256').update(unit).digest('hex').slice(0, 32));

  function json(req, res, status, value) {
    const body = Buffer.from(`${JSON.stringify(value)}\n`);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
  function plain(req, res, status, text, headers = {}) {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
    res.end(req.method === 'HEAD' ? undefined : `${text}\n`);
  }
  // A unit's messages, oldest first; kept in memory until that unit's folder is written (a unit
  // asking again and again does not make the intake read 500 files each time).
  const cache = new Map();
  function messagesIn(folder) {
    if (!cache.has(folder)) {
      if (cache.size > 5000) cache.clear();
      cache.set(folder, readMessages(folder));
    }
    return cache.get(folder);
  }
  function readMessages(folder) {
    let names;
    try {
      names = fs.readdirSync(folder).filter((n) => /^[0-9a-f]{32}\.json$/.test(n));
    } catch {
      return [];
    }
    const out = [];
    for (const name of names) {
      try {
        const kept = JSON.parse(fs.readFileSync(path.join(folder, name), 'utf8'));
        let seen = null;
        try {
          seen = fs.readFileSync(path.join(folder, name.replace(/\.json$/, '.seen')), 'utf8').trim();
        } catch {
          // not seen yet
        }
        out.push({ message: kept.message, signature: kept.signature, published_at: kept.published_at, seen_at: seen });
      } catch (e) {
        console.error(`review ${name}: unreadable (${e.message})`);
      }
    }
    return out.sort((a, b) => String(a.published_at).localeCompare(String(b.published_at)));
  }

  async function publish(req, res, id, token) {
    if (!key) {
      plain(req, res, 503, 'reviews are not configured here (INTAKE_CAMPAIGN_KEY)');
      return;
    }
    const signed = await readSigned(req, res, {
      key,
      context: CONTEXT,
      field: 'message',
      max: MAX_MESSAGE,
      what: 'a review',
      plain,
      refused: (reason) =>
        throttled(`review signature ${token?.fingerprint}`, () =>
          audit('review refused', { id, token: token?.fingerprint ?? null, reason }),
        ),
    });
    if (!signed) return;
    const body = { message: signed.text };
    const { signature } = signed;
    let message;
    try {
      message = JSON.parse(body.message);
    } catch {
      plain(req, res, 400, 'the message is not JSON');
      return;
    }
    // The unit exactly as written: JavaScript and the apps trim differently (U+FEFF), so a
    // name with spaces around it is refused, not filed under another unit's folder.
    const unit = typeof message?.unit === 'string' ? message.unit : '';
    if (message?.id !== id || !unit || unit !== unit.trim() || chars(unit) > 100 || !['review', 'reminder'].includes(message?.kind)) {
      plain(req, res, 400, 'the message needs the id in the address, a unit (no spaces around it) and a kind (review or reminder)');
      return;
    }
    const notes = Array.isArray(message.notes) ? message.notes : [];
    const tooLong =
      chars(message.reason) > MAX_TEXT ||
      chars(message.text) > MAX_TEXT ||
      notes.length > MAX_NOTES ||
      notes.some((n) => chars(n?.text) > MAX_TEXT) ||
      (message.kind === 'reminder' && !String(message.text ?? '').trim());
    if (tooLong) {
      plain(req, res, 400, `a reason, a note or a reminder is at most ${MAX_TEXT} characters, at most ${MAX_NOTES} notes, a reminder not empty`);
      return;
    }
    const step = writing.then(() => {
      const folder = folderOf(unit);
      fs.mkdirSync(folder, { recursive: true });
      const file = path.join(folder, `${id}.json`);
      if (fs.existsSync(file)) return [409, 'this message is published already'];
      if (messagesIn(folder).length >= maxPerUnit) return [507, 'too many messages for this unit'];
      if (!fs.existsSync(path.join(folder, 'unit.txt'))) writeFile(path.join(folder, 'unit.txt'), `${unit}\n`, { syncFolder: true });
      const published_at = new Date().toISOString();
      writeFile(file, JSON.stringify({ message: body.message, signature, published_at }), { syncFolder: true });
      cache.delete(folder);
      audit('review published', { id, unit, kind: message.kind, verdict: message.verdict ?? null, token: token?.fingerprint ?? null }, true);
      return [201, { id, unit, published_at }];
    });
    writing = step.catch(() => {});
    try {
      const [status, answer] = await step;
      if (status === 201) json(req, res, 201, answer);
      else plain(req, res, status, answer);
    } catch (e) {
      console.error(`review ${id}: ${e?.stack ?? e}`);
      plain(req, res, 500, 'internal error');
    }
  }

  // Returns true when the request was one of ours (answered or being answered).
  return function handle(req, res, rest, token) {
    if (!rest.startsWith('reviews/')) return false;
    const name = rest.slice('reviews/'.length);
    const desk = token === null || token?.unit === '@desk';
    // A unit's own messages: the unit is the token's, never the request's word.
    const unit = token && token.unit !== '@desk' && token.unit !== '*' ? token.unit : null;
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (read && name === 'mine') {
      if (desk) {
        plain(req, res, 403, 'the desk token has no unit: read reviews/all');
        return true;
      }
      json(req, res, 200, { unit, messages: unit ? messagesIn(folderOf(unit)) : [] });
      return true;
    }
    if (read && name === 'all') {
      if (!desk) {
        throttled(`reviews all ${token?.unit}`, () => audit('review refused', { unit: token?.unit, reason: 'reading all reviews' }));
        plain(req, res, 403, 'only the department\'s desk token reads every unit\'s reviews');
        return true;
      }
      const messages = [];
      let folders = [];
      try {
        folders = fs.readdirSync(dir).filter((n) => /^[0-9a-f]{32}$/.test(n));
      } catch {
        // nothing yet
      }
      for (const f of folders) messages.push(...messagesIn(path.join(dir, f)));
      json(req, res, 200, { messages });
      return true;
    }
    if (req.method === 'PUT' && name.startsWith('seen/') && ID.test(name.slice(5))) {
      const id = name.slice(5);
      if (!unit) {
        plain(req, res, 403, 'only a unit\'s token marks its messages seen');
        return true;
      }
      const folder = folderOf(unit);
      const file = path.join(folder, `${id}.seen`);
      // Only a message of the token's own unit: another unit's id answers 404, as a wrong one.
      if (!fs.existsSync(path.join(folder, `${id}.json`))) {
        plain(req, res, 404, 'Not found');
        return true;
      }
      if (!fs.existsSync(file)) {
        try {
          writeFile(file, `${new Date().toISOString()}\n`, { syncFolder: true });
          cache.delete(folder);
        } catch (e) {
          console.error(`seen ${id}: ${e.message}`);
          plain(req, res, 500, 'internal error');
          return true;
        }
      }
      res.writeHead(204, { 'Cache-Control': 'no-store' });
      res.end();
      return true;
    }
    if (req.method === 'PUT' && ID.test(name)) {
      if (!desk) {
        throttled(`review ${token?.unit}`, () =>
          audit('review refused', { id: name, unit: token?.unit, reason: 'not the desk token' }),
        );
        plain(req, res, 403, 'only the department\'s desk token publishes reviews', { Connection: 'close' });
        return true;
      }
      publish(req, res, name, token).catch((e) => {
        console.error(`review: ${e?.stack ?? e}`);
        if (!res.headersSent) plain(req, res, 500, 'internal error');
      });
      return true;
    }
    if (read) plain(req, res, 404, 'Not found');
    else plain(req, res, 405, 'method not allowed', { Allow: 'GET, HEAD, PUT' });
    return true;
  };
}
