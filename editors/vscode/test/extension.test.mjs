// The client (out/extension.js, built by `npm run compile`) with stand-ins for the
// `vscode` API and vscode-languageclient: which command it starts, with which options,
// and how it restarts. No VS Code instance and no server are needed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { extensionRoot } from './textmate.mjs';

const require = createRequire(import.meta.url);
const compiled = path.join(extensionRoot, 'out', 'extension.js');

const state = {
  config: {},
  commands: new Map(),
  configListeners: [],
  errors: [],
  clients: [],
  workspaceFolders: [],
  failStart: false,
};

function disposable() {
  return { dispose() {} };
}

const vscode = {
  window: {
    createOutputChannel: (name) => ({
      name,
      lines: [],
      appendLine(line) {
        this.lines.push(line);
      },
      append() {},
      show() {},
      dispose() {},
    }),
    showErrorMessage: (message) => {
      state.errors.push(message);
      return Promise.resolve(undefined);
    },
  },
  commands: {
    registerCommand: (id, handler) => {
      state.commands.set(id, handler);
      return disposable();
    },
    executeCommand: async () => undefined,
  },
  workspace: {
    getConfiguration: (section) => {
      assert.equal(section, 'play');
      return { get: (key) => state.config[key] };
    },
    onDidChangeConfiguration: (listener) => {
      state.configListeners.push(listener);
      return disposable();
    },
    get workspaceFolders() {
      return state.workspaceFolders;
    },
  },
};

class LanguageClient {
  constructor(id, name, serverOptions, clientOptions) {
    Object.assign(this, { id, name, serverOptions, clientOptions, started: false, disposed: false });
    state.clients.push(this);
  }
  async start() {
    if (state.failStart) throw new Error('spawn failed');
    this.started = true;
  }
  async dispose() {
    this.disposed = true;
  }
}

let extension;
let tmp;
let originalLoad;
let originalPath;
const context = { subscriptions: [] };

function changeConfiguration(section) {
  const event = { affectsConfiguration: (s) => section === s || section.startsWith(`${s}.`) };
  for (const listener of state.configListeners) listener(event);
}

function lastClient() {
  return state.clients[state.clients.length - 1];
}

before(() => {
  assert.ok(fs.existsSync(compiled), `${compiled} is missing: run \`npm run compile\` first`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'play-vscode-test-'));
  fs.mkdirSync(path.join(tmp, 'bin'));
  fs.mkdirSync(path.join(tmp, 'project', 'target', 'debug'), { recursive: true });
  for (const file of [path.join(tmp, 'bin', 'play'), path.join(tmp, 'project', 'target', 'debug', 'play')]) {
    fs.writeFileSync(file, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  }
  originalPath = process.env.PATH;
  process.env.PATH = `${path.join(tmp, 'bin')}${path.delimiter}${originalPath}`;
  state.workspaceFolders = [{ uri: { scheme: 'file', fsPath: path.join(tmp, 'project') } }];

  originalLoad = Module._load;
  Module._load = function load(request, parent, isMain) {
    if (request === 'vscode') return vscode;
    if (request === 'vscode-languageclient/node') return { LanguageClient };
    return originalLoad.call(this, request, parent, isMain);
  };
  extension = require(compiled);
});

after(() => {
  Module._load = originalLoad;
  process.env.PATH = originalPath;
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the client', { skip: process.platform === 'win32' }, () => {
  test('activation starts `play lsp` for Play documents', async () => {
    state.config = { 'server.path': 'play', 'server.extraArgs': ['--log', 'debug'] };
    await extension.activate(context);
    assert.equal(state.clients.length, 1);
    const client = lastClient();
    assert.ok(client.started);
    assert.equal(client.id, 'play');
    assert.deepEqual(client.serverOptions, { command: 'play', args: ['lsp', '--log', 'debug'] });
    assert.equal(client.serverOptions.transport, undefined, 'a transport would make the client add --stdio');
    assert.deepEqual(
      client.clientOptions.documentSelector.map((s) => s.language),
      ['play', 'play'],
    );
    assert.equal(client.clientOptions.outputChannel.name, 'Play Language Server');
    assert.equal(client.clientOptions.synchronize, undefined, 'the server registers its own file watcher');
    assert.ok(state.commands.has('play.restartServer'));
    assert.deepEqual(state.errors, []);
  });

  test('`play.restartServer` starts a new server with the current settings', async () => {
    const first = lastClient();
    state.config = { 'server.path': 'target/debug/play', 'server.extraArgs': [] };
    await state.commands.get('play.restartServer')();
    assert.ok(first.disposed);
    const second = lastClient();
    assert.notEqual(second, first);
    assert.ok(second.started);
    assert.equal(second.serverOptions.command, path.join(tmp, 'project', 'target', 'debug', 'play'));
    assert.deepEqual(second.serverOptions.args, ['lsp']);
  });

  test('changing a `play.server` setting restarts the server; other settings do not', async () => {
    const before = state.clients.length;
    changeConfiguration('editor.fontSize');
    await extension.restartServer(); // waits for anything queued, then restarts once more
    assert.equal(state.clients.length, before + 1);
    state.config = { 'server.path': '${workspaceFolder}/target/debug/play' };
    changeConfiguration('play.server.path');
    await extension.restartServer();
    assert.equal(state.clients.length, before + 3);
    assert.equal(lastClient().serverOptions.command, path.join(tmp, 'project', 'target', 'debug', 'play'));
  });

  test('a missing executable is reported, with the setting to change', async () => {
    const before = state.clients.length;
    state.config = { 'server.path': '/nonexistent/play' };
    await extension.restartServer();
    assert.equal(state.clients.length, before, 'no client for a command that does not exist');
    assert.equal(state.errors.length, 1);
    assert.match(state.errors[0], /play\.server\.path/);
    assert.match(state.errors[0], /\/nonexistent\/play/);
    state.errors.length = 0;
  });

  test('a server that fails to start leaves no client behind', async () => {
    state.config = { 'server.path': 'play' };
    state.failStart = true;
    await extension.restartServer();
    state.failStart = false;
    const failed = lastClient();
    assert.ok(!failed.started);
    assert.ok(failed.disposed);
    await extension.restartServer();
    assert.ok(lastClient().started);
  });

  test('deactivation stops the server', async () => {
    const running = lastClient();
    await extension.deactivate();
    assert.ok(running.disposed);
  });

  test('resolving `play.server.path`', () => {
    const folder = path.join(tmp, 'project');
    assert.equal(extension.resolveCommand('play', folder), 'play');
    assert.equal(extension.resolveCommand('/usr/bin/play', folder), '/usr/bin/play');
    assert.equal(extension.resolveCommand('target/debug/play', folder), path.join(folder, 'target/debug/play'));
    assert.equal(extension.resolveCommand('${workspaceFolder}/bin/play', folder), path.join(folder, 'bin/play'));
    assert.equal(extension.resolveCommand('~/bin/play', folder), path.join(os.homedir(), 'bin/play'));
    assert.equal(extension.resolveCommand('target/debug/play', undefined), 'target/debug/play');
  });

  test('finding the executable', () => {
    const env = { PATH: path.join(tmp, 'bin') };
    assert.equal(extension.findExecutable('play', env), path.join(tmp, 'bin', 'play'));
    assert.equal(extension.findExecutable('not-play', env), undefined);
    assert.equal(extension.findExecutable(path.join(tmp, 'bin', 'play'), {}), path.join(tmp, 'bin', 'play'));
    // A directory or a file without the executable bit does not count.
    assert.equal(extension.findExecutable(path.join(tmp, 'bin'), {}), undefined);
    const plain = path.join(tmp, 'bin', 'plain');
    fs.writeFileSync(plain, '', { mode: 0o644 });
    assert.equal(extension.findExecutable('plain', env), undefined);
  });
});
