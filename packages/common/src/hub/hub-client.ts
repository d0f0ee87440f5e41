import { HubApiError, InvalidApiResponseFormatError } from '@huggingface/hub';

/** The public Hub; `--hub-url` or `$HF_ENDPOINT` select a mirror instead. */
export const DEFAULT_HUB_URL = 'https://huggingface.co';

export type HubRepoType = 'model' | 'dataset';

/** Where and as whom to talk to the Hub. */
export interface HubAccess {
  hubUrl: string;
  /** An access token (`hf_...`), from the caller or `$HF_TOKEN`; undefined for anonymous access. */
  token?: string;
}

/** Option > `$HF_ENDPOINT` > the public Hub (the @huggingface/hub library reads no variable itself). */
export function resolveHubAccess(opts: { hubUrl?: string; token?: string }): HubAccess {
  const hubUrl = (opts.hubUrl || process.env.HF_ENDPOINT || DEFAULT_HUB_URL).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(hubUrl)) throw new Error(`hub URL "${hubUrl}" must start with http:// or https://`);
  const token = opts.token || process.env.HF_TOKEN || process.env.HUGGING_FACE_HUB_TOKEN || undefined;
  if (token !== undefined && !token.startsWith('hf_')) {
    throw new Error('the Hub token (HF_TOKEN or --token) must start with "hf_"');
  }
  return { hubUrl, token };
}

/**
 * Checks a repo id (`owner/name` or `name`) or a local asset name before it becomes a folder under assets/: letters,
 * digits, '-', '_', '.', at most one '/', and no '.' or '..' segment that would leave the folder.
 */
export function checkAssetName(id: string, what: string): void {
  const segments = id.split('/');
  const ok =
    segments.length <= 2 && segments.every((s) => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(s) && s !== '.' && s !== '..');
  if (!ok)
    throw new Error(
      `${what} "${id}" is not a valid name: expected "owner/name" or "name" (letters, digits, '-', '_', '.')`,
    );
}

/** A failed Hub request, with the repo/file it was about and what to do. `status` is the HTTP status if any. */
export class HubDownloadError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'HubDownloadError';
  }
}

/** Names a repo the way users type it: `dataset "ylecun/mnist"`. */
export function describeRepo(type: HubRepoType, id: string): string {
  return `${type} "${id}"`;
}

/** Turns whatever a Hub call threw into a HubDownloadError that names the repo (and file) and the next step. */
export function toHubError(err: unknown, what: string, access: HubAccess, revision: string): HubDownloadError {
  if (err instanceof HubDownloadError) return err;
  if (err instanceof HubApiError) return hubStatusError(err.statusCode, what, access, revision, err.message);
  if (err instanceof InvalidApiResponseFormatError) {
    return new HubDownloadError(
      `unexpected answer from ${access.hubUrl} about ${what}: ${err.message} (is it a Hub or a mirror of it?)`,
    );
  }
  return new HubDownloadError(`network error while fetching ${what} from ${access.hubUrl}: ${networkReason(err)}`);
}

/** The error for an HTTP error status about `what` (e.g. `file "x.parquet" of dataset "ylecun/mnist"`). */
export function hubStatusError(
  status: number,
  what: string,
  access: HubAccess,
  revision: string,
  detail?: string,
): HubDownloadError {
  const where = `${what} at revision "${revision}" on ${access.hubUrl}`;
  if (status === 401 || status === 403) {
    const hint = access.token
      ? 'the token in HF_TOKEN was refused: check that it grants read access to this repo'
      : 'the repo is private or gated (the Hub also says this for repos that do not exist): set HF_TOKEN to an access token that can read it';
    return new HubDownloadError(`access denied (HTTP ${status}) to ${where}: ${hint}`, status);
  }
  if (status === 404)
    return new HubDownloadError(`not found (HTTP 404): ${where}; check the name and the revision`, 404);
  return new HubDownloadError(`the Hub answered HTTP ${status} for ${where}${detail ? `: ${detail}` : ''}`, status);
}

/** fetch() hides the socket error in `cause` ("fetch failed" / "terminated"): show the useful part. */
export function networkReason(err: unknown): string {
  // Duck-typed: errors from fetch may come from another realm (e.g. under jest), where instanceof Error fails.
  const message = (e: unknown) => (e && typeof e === 'object' && 'message' in e ? String(e.message) : String(e));
  const cause =
    err && typeof err === 'object' && 'cause' in err ? (err.cause as { code?: string } | undefined) : undefined;
  if (!cause) return message(err);
  return `${message(err)} (${cause.code ? `${cause.code}: ` : ''}${message(cause)})`;
}
