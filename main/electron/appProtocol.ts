/**
 * The `app://firebreak/` handler: serves the built renderer (build/renderer) with the CSP and the
 * other security headers on every response. Pure Node (Fetch API Request/Response, fs), no electron
 * import: main.ts registers it with `protocol.handle('app', …)`; tests call it directly.
 */
import { readFile as fsReadFile } from 'node:fs/promises';
import { contentTypeFor, resolveAppAsset, responseHeaders } from './policy';

export type ReadFile = (file: string) => Promise<Uint8Array>;

export interface AppRequest {
  url: string;
  method: string;
}

export function createAppProtocolHandler(
  rendererRoot: string,
  readFile: ReadFile = fsReadFile,
): (request: AppRequest) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return plain(405, 'Method not allowed.');
    }
    const file = resolveAppAsset(rendererRoot, request.url);
    if (file === null) return plain(404, 'Not found.');
    let body: Uint8Array;
    try {
      body = await readFile(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException | undefined)?.code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') {
        return plain(
          404,
          file.endsWith('index.html')
            ? 'The Firebreak console is not built: run `npm run build` and start again.'
            : 'Not found.',
        );
      }
      return plain(500, 'Could not read the file.');
    }
    return new Response(request.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), {
      status: 200,
      headers: responseHeaders(contentTypeFor(file)),
    });
  };
}

function plain(status: number, message: string): Response {
  return new Response(message, { status, headers: responseHeaders('text/plain; charset=utf-8') });
}
