import { isDeepStrictEqual } from 'node:util';
import type { Inputs, RecordedResource } from './pulumi-mocks.ts';

/** What the engine does with a resource on a deploy: nothing, an update in place, or create-new-then-delete-old. */
export type Step = 'same' | 'update' | 'replace';

/** What a previous deploy left in the state for a resource: its inputs and its replacement trigger. */
export interface PreviousState {
  inputs: Inputs;
  replacementTrigger?: unknown;
}

/**
 * The step Pulumi's engine plans from a resource's state to its new registration, in the order the engine applies
 * them: `ignoreChanges` properties keep their old values; a changed `replacementTrigger`, or a change to a property that
 * `replaceOnChanges` names, replaces; any other change updates. Pulumi's mocks run no engine and no provider, so this
 * is the engine's rule over what the program registered; a provider's own replace-on-change inputs arrive in
 * `replaceOnChanges` too, since its generated SDK adds them (`@pulumi/command`: `triggers[*]`). Compared by top-level
 * property (`triggers[*]` names `triggers`), which is all this stack's options name.
 */
export function plannedStep(previous: PreviousState, next: RecordedResource): Step {
  const inputs = { ...next.inputs };
  for (const ignored of next.ignoreChanges) {
    if (ignored in previous.inputs) inputs[ignored] = previous.inputs[ignored];
  }
  const names = new Set([...Object.keys(previous.inputs), ...Object.keys(inputs)]);
  const changed = [...names].filter((name) => !isDeepStrictEqual(previous.inputs[name], inputs[name]));
  const replacing = next.replaceOnChanges.map((path) => path.split(/[.[]/)[0]);
  if (!isDeepStrictEqual(previous.replacementTrigger, next.replacementTrigger)) return 'replace';
  if (changed.some((name) => replacing.includes(name))) return 'replace';
  return changed.length > 0 ? 'update' : 'same';
}
