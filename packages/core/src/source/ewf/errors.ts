/**
 * The EWF files are not what they claim: a bad signature, a section that runs
 * past its file, a checksum that does not match, a missing segment. Names the
 * file and the byte offset in it, so the examiner can look.
 */
export class EwfFormatError extends Error {
  /** Always "EwfFormatError". */
  override name = 'EwfFormatError';
  constructor(
    readonly file: string,
    readonly fileOffset: number,
    what: string,
  ) {
    super(`${file}: ${what} (at file offset ${fileOffset})`);
  }
}
