/**
 * A field every input stream of a bolt must declare (a window's timestamp field, a stateful
 * bolt's id field): the one walk over the bolt's inputs both checks use.
 */
import type { ComponentDef } from './plan.js';

/**
 * The input streams of bolt `c` that do not declare `field` (a window's timestamp field, a
 * stateful bolt's id field), with their fields; unknown sources are validatePlan's to report.
 */
export function inputsLacking(c: ComponentDef, field: string, byId: ReadonlyMap<string, ComponentDef>): Array<{ component: string; stream: string; fields: string }> {
  const out: Array<{ component: string; stream: string; fields: string }> = [];
  for (const input of c.inputs) {
    const source = byId.get(input.component);
    const stream = source?.streams[input.stream];
    if (!source || source.system || !stream) continue;
    if (!stream.fields.includes(field)) out.push({ component: input.component, stream: input.stream, fields: stream.fields.join(', ') || 'none' });
  }
  return out;
}
