import { getMetadataStorage } from 'class-validator';

type Storage = ReturnType<typeof getMetadataStorage>;
type Metadata = ReturnType<Storage['getTargetValidationMetadatas']>;
type Grouped = ReturnType<Storage['groupByPropertyName']>;

const MEMOISED = Symbol.for('sso-broker.validation-metadata-memo');

/**
 * class-validator works out, on every validate() of every object (a DTO and each nested one), which
 * decorators apply to the object's class: it filters the class's metadata, walks every registered
 * class for inherited ones, then groups the result by property. On POST /v1/login-links that was
 * the largest allocator of the whole request (docs/performance.md#where-the-brokers-time-goes).
 * The answer only changes when a decorator registers, which happens as classes load: it is
 * remembered per class and options, and forgotten whenever a metadata or schema is registered.
 * The arrays handed back are the ones class-validator built; it only reads them.
 * Idempotent: several applications in one process (the multi-instance tests) share the storage.
 */
export function memoiseValidationMetadata(storage: Storage = getMetadataStorage()): void {
  const patched = storage as Storage & { [MEMOISED]?: true };
  if (patched[MEMOISED]) return;
  patched[MEMOISED] = true;

  let byTarget = new Map<unknown, Map<string | number, Metadata>>();
  let grouped = new WeakMap<Metadata, Grouped>();
  const forget = () => {
    byTarget = new Map();
    grouped = new WeakMap();
  };

  const targetMetadatas = storage.getTargetValidationMetadatas.bind(storage);
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    // Without schema or groups (every validation the broker runs) the options are two flags: a
    // number keys them without building a string per call.
    const options =
      !schema && (groups === undefined || groups.length === 0)
        ? (always ? 1 : 0) + (strictGroups ? 2 : 0)
        : `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0000') ?? ''}`;
    let forTarget = byTarget.get(target);
    if (forTarget === undefined) byTarget.set(target, (forTarget = new Map<string | number, Metadata>()));
    let metadata = forTarget.get(options);
    if (metadata === undefined)
      forTarget.set(options, (metadata = targetMetadatas(target, schema, always, strictGroups, groups)));
    return metadata;
  };

  const groupByPropertyName = storage.groupByPropertyName.bind(storage);
  storage.groupByPropertyName = (metadata) => {
    let result = grouped.get(metadata);
    if (result === undefined) grouped.set(metadata, (result = groupByPropertyName(metadata)));
    return result;
  };

  for (const register of ['addValidationMetadata', 'addConstraintMetadata', 'addValidationSchema'] as const) {
    const original = (storage[register] as (arg: unknown) => void).bind(storage);
    (storage as unknown as Record<string, (arg: unknown) => void>)[register] = (arg) => {
      forget();
      original(arg);
    };
  }
}
