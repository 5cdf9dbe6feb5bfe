/**
 * The page's elements by id (playground-page.ts declares them all, so a missing one is a bug in these files), typed as
 * what the page makes them.
 */
export function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the playground page has no #${id}`);
  return found;
}

export const inputElement = (id: string) => element(id) as HTMLInputElement;
export const selectElement = (id: string) => element(id) as HTMLSelectElement;
export const textAreaElement = (id: string) => element(id) as HTMLTextAreaElement;
export const buttonElement = (id: string) => element(id) as HTMLButtonElement;
export const progressElement = (id: string) => element(id) as HTMLProgressElement;

/** The line under the form: what is happening, or what went wrong. */
export function showStatus(text: string, isError = false): void {
  element('status').textContent = text;
  element('status').classList.toggle('error', isError);
}

/** The message of anything thrown, for the status line. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
