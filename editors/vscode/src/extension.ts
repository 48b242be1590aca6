// The Play extension: starts `play lsp` (the language server in the `play` binary) over
// stdio for `.play` files. Everything language-aware (diagnostics, completion, hover,
// navigation, rename, formatting, quick fixes, semantic tokens, …) comes from the server;
// the TextMate grammar and the language configuration work without it.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { Executable, LanguageClient, LanguageClientOptions } from 'vscode-languageclient/node';

const CLIENT_ID = 'play';
const CLIENT_NAME = 'Play Language Server';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;
// Start and stop one at a time: a restart while the server is still starting waits for it.
let pending: Promise<void> = Promise.resolve();

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel(CLIENT_NAME);
  context.subscriptions.push(output);

  context.subscriptions.push(
    vscode.commands.registerCommand('play.restartServer', () => restartServer()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('play.server')) {
        output?.appendLine('The play.server settings changed: restarting the server.');
        void restartServer();
      }
    }),
  );

  await serialize(startClient);
}

export function deactivate(): Promise<void> {
  return serialize(stopClient);
}

/** Stops the server if it runs, then starts it again with the current settings. */
export function restartServer(): Promise<void> {
  return serialize(async () => {
    await stopClient();
    await startClient();
  });
}

function serialize(task: () => Promise<void>): Promise<void> {
  pending = pending.then(task, task);
  return pending;
}

async function startClient(): Promise<void> {
  const server = serverExecutable();
  const commandLine = [server.command, ...(server.args ?? [])].join(' ');
  if (findExecutable(server.command) === undefined) {
    output?.appendLine(`Cannot start the server: \`${server.command}\` is not an executable file or on PATH.`);
    reportMissingServer(server.command);
    return;
  }
  output?.appendLine(`Starting ${commandLine}`);

  // No file watcher here: the server reads the project from disk and registers its own
  // watcher for `**/*.play` (dynamic registration), so changes made outside the editor
  // reach it once.
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'play' },
      { scheme: 'untitled', language: 'play' },
    ],
    outputChannel: output,
  };

  const candidate = new LanguageClient(CLIENT_ID, CLIENT_NAME, server, clientOptions);
  try {
    await candidate.start();
    client = candidate;
  } catch (error) {
    // The client has already shown the error and logged the details.
    output?.appendLine(`The server did not start: ${error instanceof Error ? error.message : String(error)}`);
    await candidate.dispose().catch(() => undefined);
  }
}

function reportMissingServer(command: string): void {
  const openSettings = 'Open Settings';
  void vscode.window
    .showErrorMessage(
      `Play: cannot start the language server: \`${command}\` was not found. ` +
        'Install `play`, or set `play.server.path` to the `play` executable.',
      openSettings,
    )
    .then((choice) => {
      if (choice === openSettings) {
        void vscode.commands.executeCommand('workbench.action.openSettings', 'play.server');
      }
    });
}

async function stopClient(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.dispose(2000);
    } catch (error) {
      output?.appendLine(`Stopping the server: ${String(error)}`);
    }
  }
}

/** The command from `play.server.path` and `play.server.extraArgs`. */
export function serverExecutable(): Executable {
  const config = vscode.workspace.getConfiguration('play');
  const configured = (config.get<string>('server.path') ?? '').trim() || 'play';
  const extraArgs = (config.get<unknown[]>('server.extraArgs') ?? []).map(String);
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  // No transport: `play lsp` speaks LSP on stdin/stdout, and the client would add
  // `--stdio` to the arguments if the transport were set.
  return {
    command: resolveCommand(configured, folder?.uri.fsPath),
    args: ['lsp', ...extraArgs],
  };
}

/**
 * Expands `~` and `${workspaceFolder}`, and takes a relative path with a directory part
 * (`target/debug/play`) from the workspace folder. A bare name (`play`) is left for the
 * `PATH` lookup.
 */
export function resolveCommand(command: string, workspaceFolder: string | undefined): string {
  let resolved = command;
  if (workspaceFolder !== undefined) {
    resolved = resolved.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  }
  if (resolved === '~' || resolved.startsWith('~/') || resolved.startsWith('~\\')) {
    resolved = path.join(os.homedir(), resolved.slice(1));
  }
  const hasDirectory = resolved.includes('/') || resolved.includes('\\');
  if (hasDirectory && !path.isAbsolute(resolved) && workspaceFolder !== undefined) {
    resolved = path.join(workspaceFolder, resolved);
  }
  return resolved;
}

/**
 * The file a command runs: itself when it names a path, else the first match on `PATH`
 * (with the `PATHEXT` extensions on Windows). `undefined` when there is none.
 */
export function findExecutable(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const windows = process.platform === 'win32';
  const extensions = windows ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';')] : [''];
  const candidates =
    command.includes('/') || command.includes('\\')
      ? [command]
      : (env.PATH ?? env.Path ?? '')
          .split(path.delimiter)
          .filter((dir) => dir !== '')
          .map((dir) => path.join(dir, command));
  for (const candidate of candidates) {
    for (const extension of extensions) {
      const file = candidate + extension;
      try {
        if (fs.statSync(file).isFile()) {
          fs.accessSync(file, windows ? fs.constants.F_OK : fs.constants.X_OK);
          return file;
        }
      } catch {
        // Not there or not executable: try the next one.
      }
    }
  }
  return undefined;
}
