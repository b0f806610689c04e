/** A problem with how the tool was called (CLI exit code 2), as opposed to a failure while running. */
export class UsageError extends Error {
  /** Always "UsageError". */
  override name = 'UsageError';
}
