// 活动发布 / campaigns published by the city federation's department, served to every unit.
//
//   GET  <INTAKE_PATH>/campaigns/index.json        any valid token: the index (ETag, 304; empty
//                                                  when nothing is published yet)
//   GET  <INTAKE_PATH>/campaigns/key               the public key it checks with, or null
//   GET  <INTAKE_PATH>/campaigns/<id>-v<N>.json     the template, exactly as signed
//   GET  <INTAKE_PATH>/campaigns/<id>-v<N>.json.sig its Ed25519 signature (128 hex digits)
//   PUT  <INTAKE_PATH>/campaigns/<id>              the desk token only (`<token> @desk` in the
//        tokens file): {"template": "<the file's text>", "signature": "<hex>"}
//
// The intake checks a publication as the clerks' apps will: the signature against the
// department's public key (INTAKE_CAMPAIGN_KEY, 64 hex digits — the same one IT pins in
// baosong.toml), the id as named in the path, a version newer than the one it holds (an older,
// validly signed template cannot be put back). Files are written whole (temp, fsync, rename) and
// never changed: a new version is a new file. No unit token can write here.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { publicKey, readSigned, writeWhole } from './signed.mjs';

const CONTEXT = Buffer.from('baosong-campaign-v1\n');
const MAX_TEMPLATE = 2 * 1024 * 1024;
const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const FILE = /^([a-z0-9][a-z0-9-]{0,63})-v([1-9][0-9]{0,8})\.json(\.sig)?$/;

export function campaigns({ dir, keyHex, audit, throttled = (_key, log) => log() }) {
  fs.mkdirSync(dir, { recursive: true });
  const key = publicKey(keyHex);
  const indexFile = path.join(dir, 'index.json');
  // One publication at a time: the index is read, checked and replaced in one step.
  let publishing = Promise.resolve();

  function syncDir() {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
  function send(req, res, status, body, headers = {}) {
    res.writeHead(status, { 'Cache-Control': 'no-cache', ...headers });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
  function plain(req, res, status, text, headers = {}) {
    send(req, res, status, `${text}\n`, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  }
  function serveFile(req, res, name, type) {
    let data;
    try {
      data = fs.readFileSync(path.join(dir, name));
    } catch {
      // Nothing published yet is an empty index (a 404 means a wrong address).
      if (name !== 'index.json') {
        plain(req, res, 404, 'Not found');
        return;
      }
      data = Buffer.from('{"campaigns": []}\n');
    }
    const etag = `"${crypto.createHash('sha256').update(data).digest('hex')}"`;
    if (req.headers['if-none-match'] === etag) {
      send(req, res, 304, undefined, { ETag: etag });
      return;
    }
    send(req, res, 200, data, { 'Content-Type': type, ETag: etag, 'Content-Length': data.length });
  }

  async function publish(req, res, id, token) {
    if (!key) {
      plain(req, res, 503, 'campaign publishing is not configured here (INTAKE_CAMPAIGN_KEY)');
      return;
    }
    const signed = await readSigned(req, res, {
      key,
      context: CONTEXT,
      field: 'template',
      max: MAX_TEMPLATE,
      what: 'a campaign template',
      plain,
      refused: (reason) =>
        throttled(`campaign signature ${token?.fingerprint}`, () =>
          audit('campaign refused', { id, token: token?.fingerprint ?? null, reason }),
        ),
    });
    if (!signed) return;
    const body = { template: signed.text };
    const { signature } = signed;
    const bytes = Buffer.from(body.template, 'utf8');
    let template;
    try {
      template = JSON.parse(body.template);
    } catch {
      plain(req, res, 400, 'the template is not JSON');
      return;
    }
    const version = template?.version;
    // An integer as written (2.0 or 3e0 would be numbers here and floats to every client).
    const versionText = /"version"\s*:\s*([^,}\s]+)/.exec(body.template)?.[1];
    if (
      template?.id !== id ||
      !Number.isInteger(version) ||
      version < 1 ||
      version > 999_999_999 ||
      versionText !== String(version)
    ) {
      plain(req, res, 400, 'the template\'s id must be the one in the address, with a version of 1 or more');
      return;
    }
    if (typeof template.title !== 'string' || template.title.length > 200) {
      plain(req, res, 400, 'the template needs a title of at most 200 characters');
      return;
    }
    const step = publishing.then(() => {
      let index;
      try {
        index = fs.existsSync(indexFile) ? JSON.parse(fs.readFileSync(indexFile, 'utf8')) : { campaigns: [] };
      } catch {
        return [500, 'index.json is unreadable: publishing stopped until it is restored from backup'];
      }
      if (index.campaigns.length >= 200) return [507, 'too many campaigns in the index'];
      const current = index.campaigns.find((c) => c.id === id);
      if (current && current.version >= version) {
        return [409, `version ${version} is not newer than the published ${current.version}`];
      }
      const file = `${id}-v${version}.json`;
      // Published files are never changed: every version up to the one held is published, so a
      // file of a newer version is what a publication killed before its index was written left
      // (taken over now). Without an index nothing can be told apart: existing files stay.
      if (!fs.existsSync(indexFile) && fs.existsSync(path.join(dir, file))) {
        return [409, `${file} exists already and there is no index`];
      }
      writeWhole(path.join(dir, file), bytes);
      writeWhole(path.join(dir, `${file}.sig`), `${signature}\n`);
      const entry = {
        id,
        version,
        title: template.title,
        deadline: typeof template.deadline === 'string' ? template.deadline.slice(0, 40) : '',
        file,
        signature: `${file}.sig`,
        sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
        published_at: new Date().toISOString(),
      };
      index.campaigns = [...index.campaigns.filter((c) => c.id !== id), entry];
      writeWhole(indexFile, `${JSON.stringify(index, null, 2)}\n`);
      syncDir();
      audit('campaign published', { id, version, sha256: entry.sha256, token: token?.fingerprint ?? null }, true);
      // (the desk's own act: flushed)
      return [201, JSON.stringify(entry)];
    });
    publishing = step.catch(() => {});
    try {
      const [status, text] = await step;
      if (status === 201) send(req, res, 201, `${text}\n`, { 'Content-Type': 'application/json' });
      else plain(req, res, status, text);
    } catch (e) {
      console.error(`publish ${id}: ${e?.stack ?? e}`);
      plain(req, res, 500, 'internal error');
    }
  }

  // Returns true when the request was one of ours (answered or being answered).
  return function handle(req, res, rest, token) {
    if (!rest.startsWith('campaigns/')) return false;
    const name = rest.slice('campaigns/'.length);
    const desk = token === null || token?.unit === '@desk';
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (name === 'index.json') serveFile(req, res, 'index.json', 'application/json');
      // The department's public key the intake checks with (not a secret): the desk compares it
      // with its own before publishing.
      else if (name === 'key') send(req, res, 200, `${JSON.stringify({ key: keyHex ? keyHex.toLowerCase() : null })}\n`, { 'Content-Type': 'application/json' });
      else if (FILE.test(name)) serveFile(req, res, name, name.endsWith('.sig') ? 'text/plain' : 'application/json');
      else plain(req, res, 404, 'Not found');
      return true;
    }
    if (req.method === 'PUT' && ID.test(name)) {
      if (!desk) {
        // At most once per unit every 10 s, and not flushed: a unit cannot grow the log at will.
        throttled(`campaign ${token?.unit}`, () =>
          audit('campaign refused', { id: name, unit: token?.unit, reason: 'not the desk token' }),
        );
        plain(req, res, 403, 'only the department\'s desk token publishes campaigns', { Connection: 'close' });
        return true;
      }
      publish(req, res, name, token).catch((e) => {
        console.error(`publish: ${e?.stack ?? e}`);
        if (!res.headersSent) plain(req, res, 500, 'internal error');
      });
      return true;
    }
    plain(req, res, 405, 'method not allowed', { Allow: 'GET, HEAD, PUT' });
    return true;
  };
}
