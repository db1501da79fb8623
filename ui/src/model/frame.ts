import { useEffect, useState } from 'preact/hooks';

export type Topic =
  | 'conn'
  | 'instruments'
  | 'book'
  | 'trades'
  | 'session'
  | 'orders'
  | 'fills'
  | 'engine'
  | 'chaos'
  | 'ticket';

const dirty = new Set<Topic>();
const listeners = new Map<Topic, Set<() => void>>();
let scheduled = false;
let frames = 0;

function flush(): void {
  scheduled = false;
  frames++;
  const run = new Set<() => void>();
  for (const t of dirty) for (const l of listeners.get(t) ?? []) run.add(l);
  dirty.clear();
  for (const l of run) l();
}

/**
 * Marks a topic changed. However many messages arrive, each topic re-renders at most once per
 * animation frame: this is what keeps the page responsive at 10k updates/s.
 */
export function mark(topic: Topic): void {
  dirty.add(topic);
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(flush);
  }
}

export function onTopic(topics: readonly Topic[], fn: () => void): () => void {
  for (const t of topics) {
    let set = listeners.get(t);
    if (set === undefined) listeners.set(t, (set = new Set()));
    set.add(fn);
  }
  return () => {
    for (const t of topics) listeners.get(t)?.delete(fn);
  };
}

/** Re-renders the calling component on the next frame after any of the topics changed. */
export function useTopics(...topics: Topic[]): number {
  const [n, setN] = useState(0);
  const key = topics.join(',');
  useEffect(() => onTopic(topics, () => setN((x) => x + 1)), [key]);
  return n;
}

export function framesRendered(): number {
  return frames;
}
