/** V8's sampling heap profile (`HeapProfiler.stopSampling`, a `.heapprofile` file): a call tree with bytes per node. */
export interface HeapProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  /** Bytes allocated by this frame itself, estimated from the samples (already scaled by V8). */
  selfSize: number;
  children?: HeapProfileNode[];
}

export interface HeapProfileNodeTree {
  head?: HeapProfileNode;
  error?: string;
}

/** Every node of the tree with its stack (outermost first), depth first. */
export function* heapNodes(
  node: HeapProfileNode,
  stack: HeapProfileNode[] = [],
): Generator<{ node: HeapProfileNode; stack: HeapProfileNode[] }> {
  yield { node, stack };
  for (const child of node.children ?? []) yield* heapNodes(child, [...stack, node]);
}

/** Bytes allocated over the sampled window. */
export function sampledBytes(profile: HeapProfileNodeTree): number {
  if (!profile.head) throw new Error(`the sampler answered no profile: ${profile.error ?? 'unknown error'}`);
  let bytes = 0;
  for (const { node } of heapNodes(profile.head)) bytes += node.selfSize;
  return bytes;
}
