// Filesystem errors as a researcher can act on them: the file, what was being done, and the likely fix, instead of
// the bare errno text.

const FIXES: Record<string, string> = {
  EACCES: 'no permission: check the folder owner and mode',
  EPERM: 'no permission: check the folder owner and mode',
  EROFS: 'the filesystem is read-only: set RESEARCH_ASSETS_DIR or --output-dir to a writable folder',
  ENOSPC: 'the disk is full: free space or write elsewhere (RESEARCH_ASSETS_DIR / --output-dir)',
  EDQUOT: 'the disk quota is used up: free space or write elsewhere (RESEARCH_ASSETS_DIR / --output-dir)',
  EIO: 'the device reported an i/o error: check the disk',
  ENOENT: 'a parent folder does not exist or is a dangling link',
  ENOTDIR: 'a parent path is a file, not a folder',
  EEXIST: 'a file stands where a folder should be',
  EISDIR: 'a folder stands where the file should be',
};

/** An fs error rewritten to name the file, the operation and the likely fix (the original is its `cause`). */
export function describeFsError(err: unknown, file: string, operation: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const why = (code && FIXES[code]) ?? (err as Error).message;
  const described = new Error(`cannot ${operation} ${file}: ${code ?? 'error'}: ${why}`, { cause: err });
  (described as NodeJS.ErrnoException).code = code;
  return described;
}
