// A real tus 1.0 server for the tests, on loopback: `node tus-server.mjs PORT DIR`.
// Prints "listening PORT" when ready. With TUS_TOKEN set, requests without
// "Authorization: Bearer $TUS_TOKEN" get 401 (the intake endpoint's optional token);
// TUS_MAX_SIZE sets the largest upload it takes (Tus-Max-Size).
import http from 'node:http';
import { Server } from '@tus/server';
import { FileStore } from '@tus/file-store';

const [port, dir] = process.argv.slice(2);
const token = process.env.TUS_TOKEN;
const tus = new Server({
  path: '/files',
  datastore: new FileStore({ directory: dir }),
  maxSize: Number(process.env.TUS_MAX_SIZE ?? 4 * 1024 * 1024 * 1024),
});

const server = http.createServer((req, res) => {
  if (token && req.headers['authorization'] !== `Bearer ${token}`) {
    res.writeHead(401, { 'Content-Type': 'text/plain' });
    res.end('token required');
    return;
  }
  tus.handle(req, res);
});
server.listen(Number(port), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
