// A smoke test of the command the extension starts: `play lsp` on stdio, spoken to the
// way a client does (Content-Length framed JSON-RPC). It uses `$PLAY_BIN`, else the
// workspace's `target/debug/play` (which `cargo test` in .ci/run builds first), and is
// skipped when neither has the `lsp` command.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';

import { extensionRoot } from './textmate.mjs';

const repoRoot = path.resolve(extensionRoot, '..', '..');
const exe = process.platform === 'win32' ? 'play.exe' : 'play';
const play = process.env.PLAY_BIN || path.join(repoRoot, 'target', 'debug', exe);
const project = path.join(repoRoot, 'examples', 'customer-success');

function skipReason() {
  if (!fs.existsSync(play)) return `no ${play} (build it with cargo, or set PLAY_BIN)`;
  if (!fs.existsSync(project)) return `no ${project}`;
  const help = spawnSync(play, ['lsp', '--help'], { encoding: 'utf8', timeout: 10_000 });
  if (help.status !== 0) return `${play} has no \`lsp\` command`;
  return false;
}

/** A minimal LSP client over a child process's stdio. */
class Connection {
  constructor(child) {
    this.child = child;
    this.buffer = Buffer.alloc(0);
    this.nextId = 1;
    this.pending = new Map();
    this.notifications = [];
    this.waiters = [];
    this.stderr = '';
    child.stderr.on('data', (data) => (this.stderr += data));
    child.stdout.on('data', (data) => this.receive(data));
  }

  send(message) {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  request(method, params) {
    const id = this.nextId++;
    this.send({ id, method, params });
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  notify(method, params) {
    this.send({ method, params });
  }

  /** The first notification (already received or still to come) that `matches`. */
  notification(matches) {
    const seen = this.notifications.find(matches);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ matches, resolve }));
  }

  receive(data) {
    this.buffer = Buffer.concat([this.buffer, data]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const length = Number(/Content-Length: *(\d+)/i.exec(header)?.[1]);
      assert.ok(Number.isInteger(length), `a message without Content-Length: ${header}`);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const message = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8'));
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(message);
    }
  }

  dispatch(message) {
    if (message.id !== undefined && message.method === undefined) {
      const pending = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) pending?.reject(new Error(`${message.error.code}: ${message.error.message}`));
      else pending?.resolve(message.result);
    } else if (message.id !== undefined) {
      // A request from the server (registerCapability, workDoneProgress/create, …).
      this.send({ id: message.id, result: null });
    } else {
      this.notifications.push(message);
      this.waiters = this.waiters.filter((w) => {
        if (!w.matches(message)) return true;
        w.resolve(message);
        return false;
      });
    }
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

test('`play lsp` answers a client on stdio', { skip: skipReason(), timeout: 60_000 }, async () => {
  const child = spawn(play, ['lsp'], { cwd: project, stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const connection = new Connection(child);
  try {
    const rootUri = pathToFileURL(project).href;
    const result = await withTimeout(
      connection.request('initialize', {
        processId: process.pid,
        rootUri,
        workspaceFolders: [{ uri: rootUri, name: 'customer-success' }],
        capabilities: {},
      }),
      30_000,
      'initialize',
    );
    const capabilities = result.capabilities;
    // What docs/editors.md says the server provides.
    for (const provider of [
      'completionProvider',
      'hoverProvider',
      'definitionProvider',
      'referencesProvider',
      'renameProvider',
      'documentFormattingProvider',
      'documentSymbolProvider',
      'workspaceSymbolProvider',
      'semanticTokensProvider',
      'foldingRangeProvider',
      'codeActionProvider',
      'inlayHintProvider',
    ]) {
      assert.ok(capabilities[provider], `the server does not announce ${provider}`);
    }
    connection.notify('initialized', {});

    const file = path.join(project, 'renewals.play');
    const uri = pathToFileURL(file).href;
    connection.notify('textDocument/didOpen', {
      textDocument: { uri, languageId: 'play', version: 1, text: fs.readFileSync(file, 'utf8') },
    });
    const diagnostics = await withTimeout(
      connection.notification((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri),
      30_000,
      'diagnostics for renewals.play',
    );
    assert.ok(Array.isArray(diagnostics.params.diagnostics));

    const symbols = await withTimeout(
      connection.request('textDocument/documentSymbol', { textDocument: { uri } }),
      30_000,
      'document symbols',
    );
    assert.ok(
      symbols.some((s) => s.name === 'renewal_risk'),
      `no symbol renewal_risk among ${symbols.map((s) => s.name).join(', ')}`,
    );

    // Like vscode-languageclient, no `params` at all: tower-lsp rejects `null` here.
    await withTimeout(connection.request('shutdown'), 30_000, 'shutdown');
    connection.notify('exit');
    const { code } = await withTimeout(exited, 30_000, 'exit');
    assert.equal(code, 0, `play lsp exited with ${code}; stderr:\n${connection.stderr}`);
  } finally {
    child.kill();
  }
});
