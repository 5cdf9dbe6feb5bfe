/** Usage lines as `--help` prints them: each synopsis after the first indented like the first, under "Usage:". */
export function formatUsage(usage: string): string {
  return `Usage:\n  ${usage.replaceAll(/\n(?=stipple-cli )/g, '\n  ')}\n`;
}

/** Whether the arguments ask for help: `--help` or `-h` anywhere before a `--` that ends the flags. */
export function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}
