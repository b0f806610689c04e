/** The module holding the built-in carvers; workers import it by this URL. */
export function builtinCarverModule(): string {
  return import.meta.resolve('@rawcarve/carvers');
}
