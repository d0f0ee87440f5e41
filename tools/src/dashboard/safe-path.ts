// Maps a request's path segments to a file inside the log directory, or says why not (400 / 404).
import * as fs from 'node:fs';
import * as path from 'node:path';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Decodes raw URL path segments (as sent, before any URL normalisation) and refuses '.', '..', empty segments,
 * slashes or backslashes hidden by percent-encoding, NUL, and drive letters: 400.
 */
export function decodeSegments(rawSegments: string[]): string[] {
  return rawSegments.map((raw) => {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      throw new HttpError(400, `bad percent-encoding in '${raw}'`);
    }
    if (
      segment === '' ||
      segment === '.' ||
      segment === '..' ||
      /[/\\\0]/.test(segment) ||
      /^[a-zA-Z]:/.test(segment)
    ) {
      throw new HttpError(400, `path segment '${raw}' is not allowed`);
    }
    return segment;
  });
}

/** A run id or relative path from a query parameter ('a/b/c'), checked like URL segments. */
export function decodeRelative(value: string | null, what: string): string[] {
  if (!value) throw new HttpError(400, `missing ${what}`);
  if (path.isAbsolute(value) || value.startsWith('/') || value.startsWith('\\'))
    throw new HttpError(400, `${what} must be relative, got '${value}'`);
  return decodeSegments(value.split('/').map(encodeURIComponent));
}

/**
 * The real path of `segments` under `root` (itself a real path). A path that does not exist, or whose real path
 * (after symlinks) leaves `root`, is 404: the server does not reveal what lies outside the log directory.
 */
export function resolveInside(root: string, segments: string[]): string {
  const joined = path.join(root, ...segments);
  let real: string;
  try {
    real = fs.realpathSync(joined);
  } catch {
    throw new HttpError(404, 'not found');
  }
  if (real !== root && !real.startsWith(root + path.sep)) throw new HttpError(404, 'not found');
  return real;
}
